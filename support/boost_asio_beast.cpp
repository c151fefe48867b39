// Boost.Asio and Boost.Beast compiled once, here (BOOST_ASIO_SEPARATE_COMPILATION and
// BOOST_BEAST_SEPARATE_COMPILATION are PUBLIC on investflow_boost, so every user agrees);
// on 2 cores this keeps each web/*.cpp from rebuilding the whole of Asio.
#include <boost/asio/impl/src.hpp>      // NOLINT(bugprone-suspicious-include)
#include <boost/asio/ssl/impl/src.hpp>  // NOLINT(bugprone-suspicious-include)
#include <boost/beast/src.hpp>          // NOLINT(bugprone-suspicious-include)
