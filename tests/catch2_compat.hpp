// The tests' one way to include Catch2, v2 (<catch2/catch.hpp>, Debian 12) or v3 (Debian 13,
// Ubuntu 24.04), whichever tests/meson.build found. The few names that differ between them are
// given one spelling here: baton_test::contains and baton_test::regex_matcher.
#pragma once

#include <string>

#if BATON_CATCH2_V3
#include <catch2/catch_all.hpp>
namespace baton_test {
using regex_matcher = Catch::Matchers::RegexMatcher;
inline auto contains(const std::string& text) { return Catch::Matchers::ContainsSubstring(text); }
}  // namespace baton_test
#else
#include <catch2/catch.hpp>
namespace baton_test {
using regex_matcher = Catch::Matchers::StdString::RegexMatcher;
inline auto contains(const std::string& text) { return Catch::Matchers::Contains(text); }
}  // namespace baton_test
#endif
