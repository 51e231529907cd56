// Decoding whatever the API server (or a proxy in front of it) sends must
// never crash: Event objects, watch frames, list pages, Status bodies.
#include <cstdint>
#include <string_view>

#include "event/decode.h"
#include "event/encode.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  static kv::event::Decoder core(kv::event::ApiGroup::kCore);
  static kv::event::Decoder v1(kv::event::ApiGroup::kEventsV1);
  for (auto* d : {&core, &v1}) {
    if (auto ev = d->DecodeEvent(in)) kv::event::EncodeJson(*ev);
    if (auto f = d->DecodeWatchFrame(in)) kv::event::EncodeJson(f->event);
    if (auto l = d->DecodeList(in)) {
      for (const auto& ev : l->items) kv::event::EncodeJson(ev);
    }
    d->DecodeStatus(in);
  }
  return 0;
}
