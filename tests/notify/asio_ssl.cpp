// Asio SSL compiled once, here, for the tests' TLS receiver (BOOST_ASIO_SEPARATE_COMPILATION).
#include <boost/asio/ssl/impl/src.hpp>  // NOLINT(bugprone-suspicious-include)
