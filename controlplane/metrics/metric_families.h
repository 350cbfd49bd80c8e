// build_families: a MetricsSnapshot as Prometheus metric families (docs/metrics.md lists them).
#pragma once

#include <prometheus/metric_family.h>

#include <string>
#include <string_view>
#include <vector>

#include "metrics_snapshot.h"

namespace linkcrypt::metrics {

// Pure: the same snapshot always gives the same families, in a stable order.
[[nodiscard]] std::vector<prometheus::MetricFamily> build_families(const MetricsSnapshot& s);

// "InPktsNotValid" -> "in_pkts_not_valid", "InPktsUnknownSCI" -> "in_pkts_unknown_sci": the
// 802.1AE counter names (10.7, IEEE8021-SECY-MIB) as Prometheus metric name parts.
[[nodiscard]] std::string snake_case(std::string_view camel);

}  // namespace linkcrypt::metrics
