#include "util/log.h"

#include <gtest/gtest.h>

#include <string>

namespace kv::log {
namespace {

TEST(ShortReason, KeepsAPlainReasonOnOneLine) {
  EXPECT_EQ(ShortReason("POST https://h/x: HTTP 503:\n  upstream\tdown\r\n"),
            "POST https://h/x: HTTP 503: upstream down");
  EXPECT_EQ(ShortReason(""), "");
}

TEST(ShortReason, AnHtmlPageBecomesItsTitle) {
  const std::string page =
      "POST https://h/x: HTTP 502: <!DOCTYPE html>\n<HTML><head>\n<Title> 502\n Bad Gateway "
      "</TITLE></head><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>";
  EXPECT_EQ(ShortReason(page), "POST https://h/x: HTTP 502 (HTML page: 502 Bad Gateway)");
}

TEST(ShortReason, AnHtmlPageWithoutATitleIsNamedOnly) {
  EXPECT_EQ(ShortReason("HTTP 503: <html><body>down for maintenance</body></html>"),
            "HTTP 503 (HTML page)");
  // Cut before its title's end, as a quoted body may be.
  EXPECT_EQ(ShortReason("HTTP 502: <html><head><title>502 Bad Ga..."), "HTTP 502 (HTML page)");
}

TEST(ShortReason, KeepsWhatFollowsAWholePage) {
  EXPECT_EQ(ShortReason("HTTP 403: <html><title>Forbidden</title></html> (authentication or "
                        "authorization failed)"),
            "HTTP 403 (HTML page: Forbidden) (authentication or authorization failed)");
}

TEST(ShortReason, KeepsTheStartAndTheEndOfALongReasonAtCharacterBoundaries) {
  std::string long_reason(150, 'a');
  long_reason += "\xc3\xa9\xc3\xa9\xc3\xa9";  // é: two bytes each
  long_reason += std::string(100, 'b') + "; not retried";
  // 151: a head of 101 bytes, a tail of 50.
  EXPECT_EQ(ShortReason(long_reason, 151),
            std::string(101, 'a') + "..." + std::string(37, 'b') + "; not retried");
  std::string accents = std::string(99, 'a') + "\xc3\xa9\xc3\xa9" + std::string(60, 'c') +
                        "\xc3\xa9" + std::string(49, 'd');
  // The head's cut falls inside an é (byte 100), the tail's too (50 from the end).
  EXPECT_EQ(ShortReason(accents, 150), std::string(99, 'a') + "..." + std::string(49, 'd'));
  EXPECT_LE(ShortReason(std::string(10000, 'x')).size(), 203u);
}

}  // namespace
}  // namespace kv::log
