// The Sink of every chat kind (chime, slack, teams, opsgenie): one HTTP
// request per event, in batch order, through the receiver's own
// http::Client. A kind supplies how an event becomes a request (pure) and
// how an answer is classified (pure); this wires them to the network.
//
// Threads: the receiver's worker only (http::Client is one per thread).
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>

#include "event/event.h"
#include "http/client.h"
#include "sinks/chat/send.h"
#include "sinks/sink.h"
#include "util/result.h"

namespace kv::sinks::chat {

// Builds the request for one event. An error (a template that cannot
// render, a value the peer would refuse) rejects that event alone; its
// message is safe to log (no secrets, no event body).
using BuildRequest = std::function<Result<http::Request>(const event::EventPtr& event)>;

struct Plan {
  std::vector<PlannedRequest> requests;
  std::vector<Verdict> items;  // kReject for events `build` refused
  std::string reason;          // the first refusal
};

// One request per event (pure).
Plan PlanPerEvent(std::span<const event::EventPtr> batch, const BuildRequest& build);

class PerEventSink final : public Sink {
 public:
  PerEventSink(BuildRequest build, Classifier classify, http::TlsOptions tls);
  SendOutcome Send(std::span<const event::EventPtr> batch) override;
  void Abort() override { client_.Abort(); }

 private:
  // Constant after construction.
  const BuildRequest build_;
  const Classifier classify_;
  const http::TlsOptions tls_;
  // Owned by the worker thread. Answers are only classified: keep 1 MiB.
  http::Client client_{http::kClassifyBodyBytes};
};

// Builder for a PerEventSink, for the kinds' Parse().
Builder MakePerEventBuilder(BuildRequest build, Classifier classify, http::TlsOptions tls);

}  // namespace kv::sinks::chat
