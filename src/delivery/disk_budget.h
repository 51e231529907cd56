// One disk budget for the data dir (`dataDirMaxBytes`): the spools, their
// segments' slack and the dead-letter files of all receivers, plus the
// checkpoint, must fit in it, so a few stuck receivers can never fill the
// volume (on Kubernetes, an emptyDir over its sizeLimit gets the pod
// evicted and the spool wiped).
//
// The split: a reserve for the checkpoint (a tenth of the budget, at most
// 64 MiB), the rest in equal shares per receiver; within a share, an eighth
// for the dead-letter file (it rotates under that cap), room for two
// segments (the one being written and the acknowledged head of the oldest),
// and the rest for pending records. A receiver's maxSpoolBytes and
// segmentBytes are lowered to fit its share, never raised; once its spool
// is full its overflow policy applies (block or drop-oldest).
#pragma once

#include <cstdint>
#include <filesystem>

#include "delivery/options.h"

namespace kv::delivery {

// 90% of the size of the filesystem holding `dir` (statvfs); 0 (no cap)
// when that cannot be told.
uint64_t DefaultDiskBudget(const std::filesystem::path& dir);

// Lowers `config`'s spool and segment sizes to one share of `budget` among
// `receivers`, and sets its dead-letter cap. `budget` 0: no cap. True when
// a configured size was lowered.
bool ShareDiskBudget(uint64_t budget, size_t receivers, DeliveryConfig* config);

}  // namespace kv::delivery
