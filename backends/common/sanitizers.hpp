// Which sanitizer this file is built with: gcc defines __SANITIZE_*__, clang answers
// __has_feature. BATON_ASAN / BATON_TSAN are 1 when on.
#pragma once

#if defined(__SANITIZE_ADDRESS__)
#define BATON_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BATON_ASAN 1
#endif
#endif

#if defined(__SANITIZE_THREAD__)
#define BATON_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define BATON_TSAN 1
#endif
#endif
