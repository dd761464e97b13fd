"""File streams: LispE's ``file`` library (file, file_read, file_readline, file_readlist,
file_getchar, file_getstruct, file_write, file_writeln, file_seek, file_tell, file_eof,
file_close), binary files (bread, bwrite, bappend) and the C-style streams (fopen,
fgetchars, fputchars, fsize, fseek, ftell, fclose).

The real LispE 1.2025.11.12 registers the C-style names with argument counts one too small
(``(fclose f)`` is refused there, ``(fgetchars f)`` crashes); lispe-py gives them the
arguments their names mean: ``(fopen path [mode])``, ``(fgetchars f n)``,
``(fputchars f s)``, ``(fsize f)``, ``(fseek f pos)``, ``(ftell f)``, ``(fclose f)``."""

import os

from ..errors import LispEError
from ..values import TRUE, Atom, Shorts, Short, Strings, to_string
from .core import integer
from .registry import builtin

_EOF_CHAR = "\u07ff"      # what LispE's UTF-8 reader returns when it reads past the end


class Stream:
    """An open file: mode 'r', 'w' (write or append) or None once closed."""

    kind = "file_"

    def __init__(self, path, mode):
        self.path = path
        self.fh = None
        self.mode = None
        self.closed_file = False
        self.at_eof = False
        try:
            if mode == "r":
                self.fh = open(path, "rb")
                self.mode = "r"
                if self.fh.read(3) != b"\xef\xbb\xbf":     # skip a UTF-8 signature
                    self.fh.seek(0)
            elif mode == "w":
                self.fh = open(path, "wb")
                self.mode = "w"
            elif mode == "a":
                self.fh = open(path, "ab")
                self.mode = "w"
        except OSError:
            raise LispEError("cannot open file: %s" % path)

    def lispe_str(self):
        return self.path

    # ---- reading
    def need_read(self):
        if self.mode != "r":
            raise LispEError("expecting 'stream' to be in 'read' mode")

    def need_write(self):
        if self.mode != "w":
            raise LispEError("expecting 'stream' to be in 'write' mode")

    def _byte(self):
        b = self.fh.read(1)
        if not b:
            self.at_eof = True
            return 0xFF
        return b[0]

    def getchar(self):
        """One UTF-8 character; past the end LispE's reader gives U+07FF."""
        c = self._byte()
        if self.at_eof:
            return _EOF_CHAR
        if c < 0x80:
            return chr(c)
        n = 1 if c >= 0xC0 and c < 0xE0 else 2 if c < 0xF0 else 3
        rest = self.fh.read(n)
        try:
            return (bytes([c]) + rest).decode("utf-8")
        except UnicodeDecodeError:
            self.fh.seek(-len(rest), os.SEEK_CUR)
            return chr(c)

    def read_all(self):
        data = self.fh.read().decode("utf-8", errors="replace")
        self.close()
        return "".join(line + "\n" for line in data.split("\n"))

    def read(self, n):
        out = []
        for _ in range(n):
            if self.at_eof:
                break
            out.append(self.getchar())
        if self.at_eof:
            self.mode = None
        return "".join(out)

    def readline(self):
        if self.at_eof:
            self.mode = None
            return ""
        line = self.fh.readline()
        if not line.endswith(b"\n"):
            self.at_eof = True
        else:
            line = line[:-1]
        return line.decode("utf-8", errors="replace") + "\n"

    def readlist(self):
        data = self.fh.read().decode("utf-8", errors="replace")
        self.close()
        return Strings(data.split("\n"))

    def getstruct(self, o, c):
        res = self.getchar()
        while res != o and not self.at_eof:
            res = self.getchar()
        if self.at_eof:
            self.mode = None
            return None
        count = 1
        text = res
        res = self.getchar()
        if res == c:
            count -= 1
        while count and not self.at_eof:
            if res == o:
                count += 1
            text += res
            if res == '"':
                res = self.getchar()
                while res != '"' and not self.at_eof:
                    text += res
                    if res == "\\":
                        text += self.getchar()
                    res = self.getchar()
                text += res
            res = self.getchar()
            if res == c:
                count -= 1
        if self.at_eof:
            self.mode = None
            return None
        return text + c

    def close(self):
        if self.fh is not None and not self.closed_file:
            self.fh.close()
            self.closed_file = True
        was = self.mode is not None
        self.mode = None
        return was

    def eof(self):
        if self.closed_file:
            return True
        return self.mode == "r" and self.at_eof


def _stream(s):
    if not isinstance(s, Stream):
        raise LispEError("Erreur: missing 'file' stream", prefix=False)
    return s


def _mode_name(mode):
    if type(mode) is Atom:
        return mode.name
    return None


def _check_path(interp, path, write=False):
    sb = getattr(interp, "sandbox", None) if interp is not None else None
    if sb is not None:
        sb.check("write" if write else "read")


@builtin("file", interp=True, library=True, params=["path", "mode"])
def file_(interp, env, path, mode=Atom("r")):
    """(file path (mode 'r)): open a file stream; mode is 'r (read), 'w (write) or 'a (append)."""
    m = _mode_name(mode)
    if m not in ("r", "w", "a"):
        raise LispEError("could not open a file")
    _check_path(interp, path, m != "r")
    return Stream(to_string(path), m)


@builtin("file_close", library=True, params=["stream"])
def file_close(stream):
    """(file_close stream): close the stream; true, nil when it was already closed."""
    return TRUE if _stream(stream).close() else None


@builtin("file_eof", library=True, params=["stream"])
def file_eof(stream):
    """(file_eof stream): true once a read has gone past the end of the file."""
    return TRUE if _stream(stream).eof() else None


@builtin("file_read", library=True, params=["stream", "nb"])
def file_read(stream, nb=-1):
    """(file_read stream (nb -1)): nb characters, or the rest of the file (which is closed)."""
    s = _stream(stream)
    s.need_read()
    n = integer(nb)
    if n == -1:
        return s.read_all()
    return s.read(max(n, 0))


@builtin("file_readline", library=True, params=["stream"])
def file_readline(stream):
    """(file_readline stream): the next line, with its final newline."""
    s = _stream(stream)
    s.need_read()
    return s.readline()


@builtin("file_readlist", library=True, params=["stream"])
def file_readlist(stream):
    """(file_readlist stream): the rest of the file as a list of lines (the file is closed)."""
    s = _stream(stream)
    s.need_read()
    return s.readlist()


@builtin("file_getchar", library=True, params=["stream"])
def file_getchar(stream):
    """(file_getchar stream): the next UTF-8 character."""
    s = _stream(stream)
    s.need_read()
    return s.getchar()


@builtin("file_getstruct", library=True, params=["stream", "open", "close"])
def file_getstruct(stream, o, c):
    """(file_getstruct stream open close): the next text from an open character to its
    matching close character (nested pairs and strings are skipped); nil at the end."""
    s = _stream(stream)
    s.need_read()
    return s.getstruct(to_string(o), to_string(c))


@builtin("file_write", library=True, params=["stream", "str"])
def file_write(stream, text):
    """(file_write stream str): write the text of str; true."""
    s = _stream(stream)
    s.need_write()
    s.fh.write(to_string(text).encode("utf-8"))
    return TRUE


@builtin("file_writeln", library=True, params=["stream", "str"])
def file_writeln(stream, text):
    """(file_writeln stream str): write the text of str and a newline; true."""
    s = _stream(stream)
    s.need_write()
    s.fh.write(to_string(text).encode("utf-8") + b"\n")
    s.fh.flush()
    return TRUE


@builtin("file_seek", library=True, params=["stream", "pos"])
def file_seek(stream, pos):
    """(file_seek stream pos): move to byte position pos; true."""
    s = _stream(stream)
    s.need_read()
    s.fh.seek(max(integer(pos), 0))
    s.at_eof = False
    return TRUE


@builtin("file_tell", library=True, params=["stream"])
def file_tell(stream):
    """(file_tell stream): the current byte position."""
    s = _stream(stream)
    if s.closed_file:
        raise LispEError("expecting 'stream' to be in 'read' mode")
    return s.fh.tell()


# ----------------------------------------------------------------------------- binary files

def _bytes_of(values):
    if not isinstance(values, list):
        raise LispEError("Expecting a list of numerical values")
    out = bytearray()
    for v in values:
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            out.append(int(v) & 0xFF)
        else:
            out.append(0)
    return bytes(out)


@builtin("bread", interp=True, arity=1)
def bread(interp, env, path):
    """(bread path): the bytes of the file as shorts (LispE's reader skips newline bytes)."""
    p = to_string(path)
    _check_path(interp, p)
    try:
        with open(p, "rb") as f:
            data = f.read()
    except OSError:
        raise LispEError("Unknown file: %s" % p, prefix=False)
    return Shorts(Short(b) for b in data if b != 10)


@builtin("bwrite", interp=True, arity=2)
def bwrite(interp, env, path, values):
    """(bwrite path list): write each number of list as one byte; true."""
    data = _bytes_of(values)
    _check_path(interp, path, True)
    with open(to_string(path), "wb") as f:
        f.write(data)
    return TRUE


@builtin("bappend", interp=True, arity=2)
def bappend(interp, env, path, values):
    """(bappend path list): append each number of list as one byte; true."""
    data = _bytes_of(values)
    _check_path(interp, path, True)
    with open(to_string(path), "ab") as f:
        f.write(data)
    return TRUE


# ----------------------------------------------------------------------------- fopen & co

class CStream(Stream):
    kind = "file_element_"

    def lispe_str(self):
        return ""


def _cstream(s):
    if not isinstance(s, Stream):
        raise LispEError("Not a file element")
    return s


@builtin("fopen", interp=True, arity=(1, 2))
def fopen(interp, env, path, mode="r"):
    """(fopen path [mode]): open a file ("r" read, "w" write, "a" append; an atom works too)."""
    m = mode.name if type(mode) is Atom else to_string(mode)
    m = m.replace("b", "").replace("+", "")[:1] or "r"
    if m not in ("r", "w", "a"):
        raise LispEError("could not open a file")
    _check_path(interp, path, m != "r")
    return CStream(to_string(path), m)


@builtin("fclose", arity=1)
def fclose(f):
    """(fclose f): close the file; true (nil when it was already closed)."""
    return TRUE if _cstream(f).close() else None


@builtin("fgetchars", arity=2)
def fgetchars(f, n):
    """(fgetchars f n): read n characters (fewer at the end of the file)."""
    s = _cstream(f)
    s.need_read()
    out = []
    for _ in range(max(integer(n), 0)):
        c = s.getchar()
        if s.at_eof:
            break
        out.append(c)
    return "".join(out)


@builtin("fputchars", arity=2)
def fputchars(f, text):
    """(fputchars f s): write the text of s; true."""
    s = _cstream(f)
    s.need_write()
    s.fh.write(to_string(text).encode("utf-8"))
    return TRUE


@builtin("fsize", arity=1)
def fsize(f):
    """(fsize f): the size of the file in bytes."""
    s = _cstream(f)
    s.fh.flush()
    return os.fstat(s.fh.fileno()).st_size


@builtin("fseek", arity=2)
def fseek(f, pos):
    """(fseek f pos): move to byte position pos; true."""
    s = _cstream(f)
    s.fh.seek(max(integer(pos), 0))
    s.at_eof = False
    return TRUE


@builtin("ftell", arity=1)
def ftell(f):
    """(ftell f): the current byte position."""
    return _cstream(f).fh.tell()
