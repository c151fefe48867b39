// Asio SSL compiled once, here, for the webhook client (BOOST_ASIO_SEPARATE_COMPILATION).
#include <boost/asio/ssl/impl/src.hpp>  // NOLINT(bugprone-suspicious-include)
