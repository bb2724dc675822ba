// The data-parallel gradient and weight exchanges, in buckets: one flat tensor per run of
// same-dtype, same-device tensors up to a byte size, so a model's hundreds of parameters cost a
// few collectives instead of hundreds.
#pragma once
#include <ATen/ATen.h>

#include <vector>

#include "core/distributed/group.h"

namespace vsr1::dist {

// Averages the gradients of `params` over the ranks. A parameter with a gradient on some rank
// and none on another gets a zero gradient there first (so the buckets line up); one with no
// gradient anywhere keeps none, as in a single process. Returns the bytes reduced.
int64_t allreduceGradients(Group& g, const std::vector<at::Tensor>& params, int64_t bucketBytes);

// ZeRO-2: each rank keeps the averaged gradients of the parameters it owns (owners[i] is the
// rank of params[i]) and drops the others. One reduce-scatter per bucket of owned-size slices.
int64_t reduceScatterGradients(Group& g, const std::vector<at::Tensor>& params, const std::vector<int>& owners, int64_t bucketBytes);

// ZeRO-2 clipping: the joint 2-norm of the gradients each owner holds (owners[i] owns params[i]),
// combined as clipGradNorm combines them in one process; each rank scales its own gradients by
// maxNorm / norm when above. Returns the norm before clipping.
double clipShardedGradNorm(Group& g, const std::vector<at::Tensor>& params, const std::vector<int>& owners, double maxNorm);

// ZeRO: every rank receives the weights of the parameters each owner updated.
int64_t broadcastFromOwners(Group& g, const std::vector<at::Tensor>& params, const std::vector<int>& owners, int64_t bucketBytes);

}  // namespace vsr1::dist
