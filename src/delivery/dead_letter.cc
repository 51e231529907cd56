#include "delivery/dead_letter.h"

#include "event/encode.h"
#include "util/json_writer.h"
#include "util/time.h"

namespace kv::delivery {

Result<void> DeadLetter::Write(const event::Event& ev, const std::string& reason) {
  std::string line;
  json::Writer w(&line);
  w.BeginObject();
  w.Key("time");
  w.String(timeutil::FormatRfc3339(clock_.WallNow()));
  w.Key("receiver");
  w.String(receiver_);
  w.Key("reason");
  w.String(reason);
  w.Key("idempotencyKey");
  w.String(ev.IdempotencyKey());
  w.Key("event");
  w.Raw(event::EncodeJson(ev));
  w.EndObject();
  line.push_back('\n');

  std::lock_guard lock(mu_);
  // A failure here shows as the open's failure just below.
  (void)env_.CreateDirs(path_.parent_path());
  auto file = env_.OpenFile(path_, {.create = true, .append = true, .read = false});
  if (!file) return tl::unexpected(file.error());
  if (auto r = (*file)->Append(line); !r) return r;
  // TODO(storage faults): a close error (a delayed write error) is not
  // reported, and the line is never synced.
  (void)(*file)->Close();
  written_.fetch_add(1, std::memory_order_relaxed);
  return {};
}

}  // namespace kv::delivery
