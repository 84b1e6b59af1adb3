// Turning serializable values into bytes and back, with cereal's binary archives, straight into a
// byte vector (no intermediate string).
#pragma once

#include <cstddef>
#include <istream>
#include <ostream>
#include <span>
#include <streambuf>
#include <vector>

#include <cereal/archives/binary.hpp>
#include <cereal/types/array.hpp>
#include <cereal/types/complex.hpp>
#include <cereal/types/deque.hpp>
#include <cereal/types/list.hpp>
#include <cereal/types/map.hpp>
#include <cereal/types/optional.hpp>
#include <cereal/types/set.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/tuple.hpp>
#include <cereal/types/unordered_map.hpp>
#include <cereal/types/unordered_set.hpp>
#include <cereal/types/utility.hpp>
#include <cereal/types/variant.hpp>
#include <cereal/types/vector.hpp>

namespace baton::detail {

// A streambuf that appends everything written to a byte vector.
class byte_writer : public std::streambuf {
public:
    explicit byte_writer(std::vector<std::byte>& out) : out_(out) {}

protected:
    int_type overflow(int_type c) override {
        if (c != traits_type::eof()) out_.push_back(static_cast<std::byte>(c));
        return c;
    }
    std::streamsize xsputn(const char* s, std::streamsize n) override {
        const auto* bytes = reinterpret_cast<const std::byte*>(s);
        out_.insert(out_.end(), bytes, bytes + n);
        return n;
    }

private:
    std::vector<std::byte>& out_;
};

// A streambuf that reads from a byte span without copying it.
class byte_reader : public std::streambuf {
public:
    explicit byte_reader(std::span<const std::byte> in) {
        auto* begin = const_cast<char*>(reinterpret_cast<const char*>(in.data()));
        setg(begin, begin, begin + in.size());
    }
};

// Appends the serialized form of `value` to `out`.
template <class T>
void serialize_into(std::vector<std::byte>& out, const T& value) {
    byte_writer buffer(out);
    std::ostream stream(&buffer);
    cereal::BinaryOutputArchive archive(stream);
    archive(value);
}

template <class T>
void deserialize_from(std::span<const std::byte> in, T& value) {
    byte_reader buffer(in);
    std::istream stream(&buffer);
    cereal::BinaryInputArchive archive(stream);
    archive(value);
}

}  // namespace baton::detail
