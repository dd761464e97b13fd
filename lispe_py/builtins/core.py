"""Core builtins: printing, types and predicates, conversions, errors, apply."""

import time

from ..numparse import lispe_string_number
from ..errors import LispEError
from ..values import (EMPTY, TRUE, Atom, Dictionary, DictionaryI, DictionaryN, Float32, Floats,
                      Integers, LList, List, Maybe, Numbers, Short, Shorts, Strings, format_number,
                      lbool, to_string, truthy, type_name, wrap64)
from .registry import BUILTINS, builtin


# ----------------------------------------------------------------------------- printing

@builtin("print", interp=True, arity=(0, None))
def print_(interp, env, *args):
    """(print a b ...): write the values to stdout, no separator, no newline."""
    interp.stdout.write("".join(to_string(a) for a in args))
    return EMPTY


@builtin("println", interp=True, arity=(0, None))
def println(interp, env, *args):
    """(println a b ...): write the values separated by spaces, then a newline."""
    interp.stdout.write(" ".join(to_string(a) for a in args) + "\n")
    return EMPTY


@builtin("printerr", interp=True, arity=(0, None))
def printerr(interp, env, *args):
    """(printerr a b ...): like print, on stderr."""
    interp.stdout.flush()
    interp.stderr.write("".join(to_string(a) for a in args))
    interp.stderr.flush()
    return EMPTY


@builtin("printerrln", interp=True, arity=(0, None))
def printerrln(interp, env, *args):
    """(printerrln a b ...): like println, on stderr."""
    interp.stdout.flush()
    interp.stderr.write(" ".join(to_string(a) for a in args) + "\n")
    interp.stderr.flush()
    return EMPTY


# ----------------------------------------------------------------------------- types

@builtin("type", arity=1)
def type_(x):
    """(type x): the LispE type name as an atom (integer_, string_, list_, ...); the atom of
    an instruction name is its own type: (type 'car) is car."""
    if type(x) is Atom and x.name in BUILTINS:
        return x
    if type(x) is Atom:
        from .registry import SPECIAL_FORMS
        if x.name in SPECIAL_FORMS:
            return x
    return Atom(type_name(x))


def _is_number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)


@builtin("numberp", "number?")
def numberp(x):
    """(numberp x): true for integers, numbers, floats, shorts."""
    return lbool(_is_number(x))


@builtin("stringp", "string?")
def stringp(x):
    """(stringp x): true for strings."""
    return lbool(isinstance(x, str))


@builtin("atomp", "atom?")
def atomp(x):
    """(atomp x): true for atoms, nil and the empty list."""
    return lbool(x is None or type(x) is Atom or (isinstance(x, list) and not x))


@builtin("consp", "cons?")
def consp(x):
    """(consp x): true for lists (the empty list included)."""
    return lbool(isinstance(x, list))


@builtin("nullp", "null?")
def nullp(x):
    """(nullp x): true for nil."""
    return lbool(x is None)


@builtin("zerop", "zero?")
def zerop(x):
    """(zerop x): true for 0 and 0.0."""
    return lbool(_is_number(x) and x == 0)


@builtin("emptyp", "empty?")
def emptyp(x):
    """(emptyp x): true for empty containers, empty strings, nil, 0."""
    if x is None:
        return TRUE
    if isinstance(x, (list, dict, str, set)):
        return lbool(len(x) == 0)
    if _is_number(x):
        return lbool(x == 0)
    return None


@builtin("not")
def not_(x):
    """(not x): true when x is false; maps over containers."""
    if isinstance(x, list) and x:
        if type(x) in (Integers, Numbers, Floats, Shorts):
            return type(x)(0 if truthy(v) else 1 for v in x)
        return List(None if truthy(v) else TRUE for v in x)
    if isinstance(x, (list, dict)):
        return x
    return None if truthy(x) else TRUE


@builtin("xor", arity=2)
def xor(a, b):
    """(xor a b): exclusive or of the truth values."""
    return lbool(truthy(a) != truthy(b))


# ----------------------------------------------------------------------------- conversions

def _parse_int(s):
    """``integer`` of a string: LispE's double of it, truncated (see lispe_py.numparse)."""
    return integer(lispe_string_number(s))


def parse_number(s):
    """``number`` of a string: LispE's double of it (see lispe_py.numparse)."""
    return lispe_string_number(s)


@builtin("integer")
def integer(x):
    """(integer x): truncate a number, parse a string (0 when it is not a number)."""
    if isinstance(x, bool):
        return 1 if x else 0
    if isinstance(x, int):
        return int(x)
    if isinstance(x, float):
        if x != x or x in (float("inf"), float("-inf")):
            return -(1 << 63)
        return wrap64(int(x))
    if isinstance(x, str):
        return _parse_int(x)
    if x is None:
        return 0
    if x is TRUE:
        return 1
    raise LispEError("cannot convert to integer: '%s'" % to_string(x))


@builtin("number")
def number(x):
    """(number x): convert to a double; strings are parsed (0 when not a number)."""
    if isinstance(x, (int, float)):
        return float(x)
    if isinstance(x, str):
        return parse_number(x)
    if x is None:
        return 0.0
    raise LispEError("cannot convert to number: '%s'" % to_string(x))


@builtin("float")
def float_(x):
    """(float x): convert to a 32-bit float."""
    return Float32(number(x))


@builtin("int16_t")
def short(x):
    """(short x): convert to a 16-bit integer."""
    return Short(integer(x))


@builtin("string")
def string(x):
    """(string x): the printed form of x as a string."""
    return to_string(x)


@builtin("atom")
def atom_(x):
    """(atom s): the atom named s."""
    return Atom(to_string(x))


@builtin("stringf", arity=2)
def stringf(x, fmt):
    """(stringf value format): C printf formatting of one value."""
    return _printf(fmt, x)


@builtin("sprintf", arity=2)
def sprintf(x, fmt):
    """(sprintf value format): C printf formatting of one value."""
    return _printf(fmt, x)


def _printf(fmt, x):
    if not isinstance(fmt, str) or "%" not in fmt:
        raise LispEError("wrong format")
    try:
        conv = fmt.rstrip()[-1]
        if conv in "dixXoc":
            return fmt % integer(x)
        if conv in "eEfFgG":
            return fmt % number(x)
        return fmt % to_string(x)
    except (TypeError, ValueError):
        raise LispEError("wrong format")


# ----------------------------------------------------------------------------- errors, misc

@builtin("throw", arity=1)
def throw(x):
    """(throw msg): raise an error whose text is msg."""
    raise LispEError(to_string(x), prefix=False)


@builtin("sleep", arity=1)
def sleep(ms):
    """(sleep ms): wait ms milliseconds."""
    time.sleep(float(ms) / 1000.0)
    return TRUE


@builtin("apply", interp=True, arity=2)
def apply_(interp, env, f, args):
    """(apply f list): call f with the elements of list as arguments."""
    if not isinstance(args, list):
        raise LispEError("arguments to 'apply' should be given as a list")
    if len(args) == 1 and type(f) is Atom and f.name in ("+", "-", "*", "/"):
        return args[0]     # LispE: an operator applied to one element gives it back
    return interp.apply(f, list(args), env)


@builtin("toclean", interp=True, arity=1)
def toclean(interp, env, f):
    """(toclean 'method): in a method, the cleanup to run when the instance is released.

    That method of the instance (or a lambda) is called when the last reference to the
    instance goes, as LispE does; never at exit. Returns true."""
    import weakref
    from ..callables import MethodFrame
    if type(env) is not MethodFrame:
        raise LispEError("this function can only be called from within a class instance")
    inst = env.inst
    old = inst.cleanup
    if old is not None:
        old.detach()
    fin = weakref.finalize(inst, _run_cleanup, interp, inst.cls, inst.fields, f)
    fin.atexit = False
    inst.cleanup = fin
    return TRUE


def _run_cleanup(interp, cls, fields, f):
    """The cleanup of a released instance: runs on a stand-in holding the same fields."""
    from ..callables import Instance, MethodFrame
    inst = Instance(cls, fields)
    try:
        if type(f) is Atom or isinstance(f, str):
            m = cls.find_method(f.name if type(f) is Atom else f)
            if m is None:
                raise LispEError("Unknown method: '%s'" % to_string(f))
            m.call_on(inst, [])
        else:
            frame = MethodFrame()
            frame.inst = inst
            interp.apply(f, [], frame)
    except Exception as e:     # a finalizer cannot raise: report it as LispE would print it
        try:
            interp.stderr.write("%s\n" % (e.text if isinstance(e, LispEError) else "Error: %s" % e))
        except Exception:
            pass


__all__ = ["parse_number", "integer", "number", "format_number", "Dictionary", "DictionaryI",
           "DictionaryN", "LList", "Maybe", "Strings"]
