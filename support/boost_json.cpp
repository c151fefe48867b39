// Boost.JSON compiled once, here; every other file includes <boost/json.hpp> and links
// investflow_boost.
#include <boost/json/src.hpp>  // NOLINT(bugprone-suspicious-include)
