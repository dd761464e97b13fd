"""The iteration order of libstdc++'s ``std::unordered_map`` (what LispE's integer- and
number-keyed dictionaries and its ontologies walk), simulated on the keys.

libstdc++ keeps every node in one singly linked list; the nodes of a bucket are
contiguous. A new node goes first in its bucket's run, or first in the whole list when
its bucket is empty; a rehash walks the old list in order and places each node the same
way in the new table; erasing a node unlinks it and changes nothing else. The table
starts with one bucket; the prime rehash policy (max_load_factor 1.0, growth factor 2)
grows it to 13 buckets at the first insertion, then to the first prime of libstdc++'s
``__prime_list`` not below twice the old count once the element count passes it."""

import bisect
import struct

__all__ = ["UnorderedMap", "umap_order", "int_hash", "float_hash", "string_hash"]

# libstdc++ __prime_list (hashtable-aux.cc), the entries _M_next_bkt can return below 2**32
_PRIMES = [
    2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79,
    83, 89, 97, 103, 109, 113, 127, 137, 139, 149, 157, 167, 179, 193, 199, 211, 227, 241,
    257, 277, 293, 313, 337, 359, 383, 409, 439, 467, 503, 541, 577, 619, 661, 709, 761,
    823, 887, 953, 1031, 1109, 1193, 1289, 1381, 1493, 1613, 1741, 1879, 2029, 2179, 2357,
    2549, 2753, 2971, 3209, 3469, 3739, 4027, 4349, 4703, 5087, 5503, 5953, 6427, 6949,
    7517, 8123, 8783, 9497, 10273, 11113, 12011, 12983, 14033, 15173, 16411, 17749, 19183,
    20753, 22447, 24281, 26267, 28411, 30727, 33223, 35933, 38873, 42043, 45481, 49201,
    53201, 57557, 62233, 67307, 72817, 78779, 85229, 92203, 99733, 107897, 116731, 126271,
    136607, 147793, 159871, 172933, 187091, 202409, 218971, 236897, 256279, 277261,
    299951, 324503, 351061, 379787, 410857, 444487, 480881, 520241, 562841, 608903,
    658753, 712697, 771049, 834181, 902483, 976369, 1056323, 1142821, 1236397, 1337629,
    1447153, 1565659, 1693859, 1832561, 1982627, 2144977, 2320627, 2510653, 2716249,
    2938679, 3179303, 3439651, 3721303, 4026031, 4355707, 4712381, 5098259, 5515729,
    5967347, 6456007, 6984629, 7556579, 8175383, 8844859, 9569143, 10352717, 11200489,
    12117689, 13109983, 14183539, 15345007, 16601593, 17961079, 19431899, 21023161,
    22744717, 24607243, 26622317, 28802401, 31160981, 33712729, 36473443, 39460231,
    42691603, 46187573, 49969847, 54061849, 58488943, 63278561, 68460391, 74066549,
    80131819, 86693767, 93793069, 101473717, 109783337, 118773397, 128499677, 139022417,
    150406843, 162723577, 176048909, 190465427, 206062531, 222936881, 241193053,
    260944219, 282312799, 305431229, 330442829, 357502601, 386778277, 418451333,
    452718089, 489790921, 529899637, 573292817, 620239453, 671030513, 725980837,
    785430967, 849749479, 919334987, 994618837, 1076067617, 1164186217, 1259520799,
    1362662261, 1474249943, 1594975441, 1725587117, 1866894511, 2019773507, 2185171673,
    2364114217, 2557710269, 2767159799, 2993761039, 3238918481, 3504151727, 3791104843,
    4101556399, 4294967291,
]
_FAST = (2, 2, 2, 3, 5, 5, 7, 7, 11, 11, 11, 11, 13, 13)
_MASK = 0xFFFFFFFFFFFFFFFF


def _next_bucket_count(n):
    """_Prime_rehash_policy::_M_next_bkt(n) (the bucket count only)."""
    if n < len(_FAST):
        return 1 if n == 0 else _FAST[n]
    i = bisect.bisect_left(_PRIMES, n, 6, len(_PRIMES) - 1)
    return _PRIMES[i]


class UnorderedMap:
    """The node order of a libstdc++ unordered_map under insertions and erasures (a doubly
    linked list of the keys, and the first key of each bucket's run).

    ``order()`` is the iteration order; ``buckets`` the bucket count."""

    __slots__ = ("hasher", "nxt", "prv", "head", "first", "bucket_of", "buckets",
                 "next_resize")

    def __init__(self, hasher):
        self.hasher = hasher
        self.nxt = {}            # key -> next key (None at the end)
        self.prv = {}            # key -> previous key (None at the head)
        self.head = None
        self.first = {}          # bucket -> its first key in the list
        self.bucket_of = {}      # key -> bucket for the current bucket count
        self.buckets = 1
        self.next_resize = 0

    def __len__(self):
        return len(self.bucket_of)

    def __contains__(self, k):
        return k in self.bucket_of

    def order(self):
        out = []
        k = self.head
        nxt = self.nxt
        while k is not None:
            out.append(k)
            k = nxt[k]
        return out

    def _link(self, k, b):
        # first of its bucket's run, or first of the whole list when the bucket is empty
        f = self.first.get(b)
        if f is None:
            p, n = None, self.head
        else:
            p, n = self.prv[f], f
        self.prv[k] = p
        self.nxt[k] = n
        if p is None:
            self.head = k
        else:
            self.nxt[p] = k
        if n is not None:
            self.prv[n] = k
        self.first[b] = k
        self.bucket_of[k] = b

    def _rehash(self, n):
        keys = self.order()
        h = self.hasher
        self.nxt, self.prv, self.first, self.bucket_of = {}, {}, {}, {}
        self.head = None
        self.buckets = n
        for k in keys:
            self._link(k, h(k) % n)

    def insert(self, k):
        """Insert key k (nothing happens when it is already there)."""
        if k in self.bucket_of:
            return
        count = len(self.bucket_of)
        if count + 1 > self.next_resize:        # _M_need_rehash(buckets, count, 1)
            min_bkts = max(count + 1, 0 if self.next_resize else 11)
            if min_bkts >= self.buckets:
                n = _next_bucket_count(max(min_bkts + 1, self.buckets * 2))
                self.next_resize = n
                self._rehash(n)
            else:
                self.next_resize = self.buckets
        self._link(k, self.hasher(k) % self.buckets)

    def erase(self, k):
        """Remove key k (the other keys keep their order; the bucket count stays)."""
        b = self.bucket_of.pop(k, None)
        if b is None:
            return
        p, n = self.prv.pop(k), self.nxt.pop(k)
        if p is None:
            self.head = n
        else:
            self.nxt[p] = n
        if n is not None:
            self.prv[n] = p
        if self.first.get(b) == k:
            if n is not None and self.bucket_of[n] == b:
                self.first[b] = n
            else:
                del self.first[b]

    def clear(self):
        """unordered_map::clear(): no key left, the bucket count is kept."""
        self.nxt, self.prv, self.first, self.bucket_of = {}, {}, {}, {}
        self.head = None


_NONE = object()


def int_hash(k):
    """std::hash<long>: the value itself, as an unsigned 64-bit number."""
    return k & _MASK


def murmur64(data, seed=0xC70F6907):
    """libstdc++ ``_Hash_bytes`` on 64-bit platforms (a MurmurHash2 variant)."""
    mul = 0xC6A4A7935BD1E995
    n = len(data)
    h = (seed ^ (n * mul)) & _MASK
    full = n & ~7
    for i in range(0, full, 8):
        k = int.from_bytes(data[i:i + 8], "little")
        k = (k * mul) & _MASK
        k ^= k >> 47
        k = (k * mul) & _MASK
        h ^= k
        h = (h * mul) & _MASK
    if n & 7:
        h ^= int.from_bytes(data[full:], "little")
        h = (h * mul) & _MASK
    h ^= h >> 47
    h = (h * mul) & _MASK
    h ^= h >> 47
    return h


def float_hash(x):
    """std::hash<double>: 0 for both zeros, else _Hash_bytes of the 8 bytes."""
    if x == 0.0:
        return 0
    return murmur64(struct.pack("<d", x))


def string_hash(s):
    """std::hash<std::u32string>: _Hash_bytes of the UTF-32 code units."""
    return murmur64(s.encode("utf-32-le", "surrogatepass"))


def umap_order(keys, hasher):
    """The iteration order of a fresh unordered_map into which ``keys`` were inserted in
    this order."""
    m = UnorderedMap(hasher)
    for k in keys:
        m.insert(k)
    return m.order()
