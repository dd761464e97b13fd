"""class@ / defclass: fields, defaults, methods, setqi, from@, the call forms of spec §8."""

import pytest

from lispe_py.errors import LispEError

ANIMALS = """
(class@ Animal (name (sound "...")) (defun speak () (+ name " says " sound))
        (defun rename (n) (setqi name n) name))
(class@ Dog (breed) (from@ Animal) (defun info () (+ name ":" breed)))
(setq d (Dog "rex" "wouf" "lab"))
"""


def test_class_fields_methods(lispe):
    src = ("(class@ Pt (x (y 5)) (defun norm () (+ x y)) (defun setx (v) (setqi x v) x))"
           "(setq p (Pt 1)) (list (p (norm)) (p (setx 10)) (p (norm)) (@ p 'x) (p Pt (norm)))")
    assert lispe(src) == "(6 10 15 10 15)"


def test_class_printing_and_type(lispe):
    src = ("(class@ Pt (x (y 5)) (defun norm () (+ x y))) (setq p (Pt 1 2))"
           "(list p (type p))")
    assert lispe(src) == '((Pt "x":1 "y":2) Pt)'


def test_inheritance_field_order_and_calls(lispe):
    src = ANIMALS + "(list d (d (speak)) (d (info)) (d Dog (info)) (@ d 'breed))"
    assert lispe(src) == ('((Dog "breed":"rex" "name":"wouf" "sound":"lab") "wouf says lab" '
                          '"wouf:rex" "wouf:rex" "rex")')


def test_setqi_set_at_and_local_setq(lispe):
    src = ANIMALS + "(d (rename \"max\")) (set@ d 'breed \"poodle\") (d (info))"
    assert lispe(src) == "max:poodle"
    src = "(class@ A (a) (defun f () (setq a 5) a)) (setq o (A 2)) (list (o (f)) (@ o 'a))"
    assert lispe(src) == "(5 2)"


def test_constructor_argument_is_a_method_call(lispe):
    src = ("(class@ Tok (path init) (defun configure () (+ path \"!\")))"
           "(setq t (Tok \"p\" (configure))) (@ t 'init)")
    assert lispe(src) == "p!"


def test_defclass_and_immediate_call(lispe):
    assert lispe("(defclass A (a) (defun f () (* a 2))) ((A 4) (f))") == "8"


def test_missing_constructor_argument(lispe):
    with pytest.raises(LispEError, match="argument list mismatch with the parameter list"):
        lispe("(class@ A (a) (defun f () a)) (A)")


# ----------------------------------------------------------------------------- instance state
# Programs run on the real LispE (shared/tools/lispe-real, 1.2025.11.12); each expected text is
# what it printed (an error: its message without the ", line: N in: FILE" suffix; the final
# value line left out). Instance fields are the instance's own storage: every method call,
# nested ones included, reads and writes the same fields; setq in a method makes a local.

def run_program(src):
    """stdout of a program; an uncaught error adds its LispE text as the last line."""
    import io
    from lispe_py.interpreter import Interpreter
    out = io.StringIO()
    interp = Interpreter(stdout=out, stderr=io.StringIO())
    try:
        interp.eval_source(src, "<test>")
    except LispEError as e:
        out.write(e.text + "\n")
    return out.getvalue()


REAL_CASES = {
    'bare_method_call_outside_instance': (
        '(setq x 100)\n'
        '(setq y 1)\n'
        '(class@ P (x y)\n'
        '  (defun total () (+ x y)))\n'
        '(class@ Q (x)\n'
        '  (defun total () (* 2 x)))\n'
        '(println (total))\n',
        # real LispE:
        '200\n'),
    'class_printing_and_missing_arguments': (
        '(class@ P (x (y 5)) (defun dbl () (* 2 x)))\n'
        '(class@ Q (z) (from@ P))\n'
        '(println P Q (list P) (type P) "|")\n'
        '(println (type (P 1)) (type (Q 1)))\n',
        # real LispE:
        '(class@ P (x (y 5))) (class@ Q (z) (from@ P)) ((class@ P (x (y 5))))  |\n'
        'Error: Missing arguments\n'),
    'class_qualified_call_mismatch': (
        '(class@ P (x y)\n'
        '  (defun total () (+ x y)))\n'
        '(class@ Q (z)\n'
        '  (defun total () (* 10 z)))\n'
        '(setq q (Q 3))\n'
        '(println (q P (total)))\n',
        # real LispE:
        'Error: mismatch between class instance and class definition\n'),
    'construction_extra_arguments_with_defaults': (
        '(class@ P (x (y 5)) (defun dbl () (* 2 x)))\n'
        '(class@ Q (z) (from@ P))\n'
        '(println (Q 1 2))\n'
        '(println (Q 1 2 3 4))\n'
        '(println (P 1 2 3))\n',
        # real LispE:
        '(Q "z":1 "x":2 "y":5)\n'
        '(Q "z":1 "x":2 "y":3)\n'
        '(P "x":1 "y":2)\n'),
    'construction_missing_with_defaults': (
        '(class@ A (a (b 2) c) (defun f () a))\n'
        '(println (A 1))\n',
        # real LispE:
        'Error: Missing arguments\n'),
    'construction_too_few_without_defaults': (
        '(class@ P (x y) (defun dbl () (* 2 x)))\n'
        '(println (P 1))\n',
        # real LispE:
        'Error: argument list mismatch with the parameter list\n'),
    'construction_too_many_without_defaults': (
        '(class@ A (a) (defun f () a))\n'
        '(println (A 1 2))\n',
        # real LispE:
        'Error: argument list mismatch with the parameter list\n'),
    'defaults_read_globals': (
        '(setq x 100)\n'
        '(class@ A (x (y (* x 2)))\n'
        '  (defun add (a (b x)) (+ a b)))\n'
        '(setq o (A 1))\n'
        '(println o)\n'
        '(println (o (add 1)))\n',
        # real LispE:
        '(A "x":1 "y":200)\n'
        '101\n'),
    'defun_does_not_see_fields': (
        '(defun outside () n)\n'
        '(class@ A (n)\n'
        '  (defun f () (outside)))\n'
        '(setq a (A 0))\n'
        '(println (a (f)))\n',
        # real LispE:
        "Error: Unbound atom: 'n'\n"),
    'fields_globals_lambdas_parameters': (
        '(setq n 1000)\n'
        '(setq m 1)\n'
        '(class@ A (n)\n'
        '  (defun f () (+= n 1) (list n m))\n'
        '  (defun g () (+= m 1) m)\n'
        '  (defun lam () ((λ (x) (+= n x)) 5) n)\n'
        '  (defun par (n) (+= n 1) n)\n'
        '  (defun scaled (xs) (map (λ (x) (* x n)) xs)))\n'
        '(setq a (A 0))\n'
        '(println (a (f)) a n)\n'
        '(println (a (g)) a m)\n'
        '(println (a (lam)) a)\n'
        '(println (a (par 50)) a)\n'
        '(println (a (scaled (integers 1 2 3))))\n',
        # real LispE:
        '(1 1) (A "n":1) 1000\n'
        '2 (A "n":1) 2\n'
        '6 (A "n":6)\n'
        '51 (A "n":6)\n'
        '(6 12 18)\n'),
    'global_function_is_not_a_method': (
        '(class@ P (x)\n'
        '  (defun dbl () (* 2 x)))\n'
        '(defun dbl2 () 1)\n'
        '(setq p (P 5))\n'
        '(println (p (dbl)))\n'
        '(println (p (dbl2)))\n',
        # real LispE:
        '10\n'
        'Error: Unknown function\n'),
    'inherited_field_updates': (
        '(class@ P (x)\n'
        '  (defun dbl () (* 2 x)))\n'
        '(class@ C (z)\n'
        '  (from@ P)\n'
        '  (defun incz () (+= z 1) z)\n'
        '  (defun incx () (+= x 1) x))\n'
        '(setq c (C 5 1))\n'
        '(println c)\n'
        '(println (c (incz)) (c (incx)) (c (dbl)))\n'
        '(println c)\n',
        # real LispE:
        '(C "z":5 "x":1)\n'
        '6 2 4\n'
        '(C "z":6 "x":2)\n'),
    'init_call_chain_and_field_order': (
        '(class@ Tok (path init)\n'
        '  (defun configure () (setup) (setqi ready true) (* 2 size_))\n'
        '  (defun setup () (setqi size_ (size path)))\n'
        '  (defun info () (list path init size_ ready)))\n'
        '(setq t (Tok "abcd" (configure)))\n'
        '(println (t (info)))\n'
        '(println t)\n',
        # real LispE:
        '("abcd" 8 4 true)\n'
        '(Tok "path":"abcd" "init":8 "size_":4 "ready":true)\n'),
    'instance_through_parameter': (
        '(class@ C (k)\n'
        '  (defun add (x) (+= k x) k))\n'
        '(defun f (c v) (c (add (* v 2))))\n'
        '(setq c (C 1))\n'
        '(println (f c 5) (f c 1))\n'
        '(println c)\n',
        # real LispE:
        '11 13\n'
        '(C "k":13)\n'),
    'list_field_in_place': (
        '(class@ B (l)\n'
        '  (defun add (x) (push l x) l)\n'
        '  (defun addd (x) (+= l x) l))\n'
        '(setq b (B (list 1)))\n'
        '(b (add 2))\n'
        '(println b)\n'
        '(b (addd 10))\n'
        '(println b)\n'
        '(setq src (integers 1 2))\n'
        '(setq bb (B src))\n'
        '(bb (addd 10))\n'
        '(println bb src)\n',
        # real LispE:
        '(B "l":(1 2))\n'
        '(B "l":(11 12))\n'
        '(B "l":(11 12)) (11 12)\n'),
    'method_before_global_function': (
        '(defun total () "global")\n'
        '(class@ P (x y)\n'
        '  (defun total () (+ x y))\n'
        '  (defun get () x)\n'
        '  (defun both () (list (total) (get))))\n'
        '(setq p (P 3 4))\n'
        '(println (p (both)))\n'
        '(println (total))\n',
        # real LispE:
        '(7 3)\n'
        'global\n'),
    'other_instances_and_instance_values': (
        '(class@ A (n)\n'
        '  (defun bump () (+= n 1) n)\n'
        "  (defun poke (o) (o (bump)) (list n (@ o 'n))))\n"
        '(setq a (A 0))\n'
        '(setq b (A 10))\n'
        '(println (a (poke b)) a b)\n'
        '(defun inc (o) (o (bump)))\n'
        '(inc a) (inc a)\n'
        '(println a)\n'
        '(setq l (list a b))\n'
        '((@ l 1) (bump))\n'
        '(println b)\n'
        "(set@ a 'n 40)\n"
        '(println (a (bump)))\n',
        # real LispE:
        '(0 11) (A "n":0) (A "n":11)\n'
        '(A "n":2)\n'
        '(A "n":12)\n'
        '41\n'),
    'return_in_method': (
        '(class@ A (n)\n'
        '  (defun f () (+= n 1) (return n) 99)\n'
        '  (defun g (xs) (loop x xs (check (> x 2) (return n)) (+= n x)) -1))\n'
        '(setq a (A 0))\n'
        '(println (a (f)) (a (g (integers 1 2 3 4))) a)\n',
        # real LispE:
        '1 4 (A "n":4)\n'),
    'setqi_and_local_shadowing': (
        '(class@ A (n)\n'
        '  (defun putn (v) (setqi n v))\n'
        '  (defun f () (putn 10) n)\n'
        '  (defun g () (setq n 5) (setqi n 7) n)\n'
        '  (defun h () (setq n 5) (+= n 1) n)\n'
        '  (defun k () (setqi n 3) (setq n 100) n)\n'
        '  (defun lp (xs) (loop n xs n) n)\n'
        '  (defun newf () (putm 4) m)\n'
        '  (defun putm (v) (setqi m v)))\n'
        '(setq a (A 0))\n'
        '(println (a (f)) a)\n'
        '(println (a (g)) a)\n'
        '(println (a (h)) a)\n'
        '(println (a (k)) a)\n'
        '(println (a (lp (integers 8 9))) a)\n'
        '(println (a (newf)) a)\n',
        # real LispE:
        '10 (A "n":10)\n'
        '5 (A "n":7)\n'
        '6 (A "n":7)\n'
        '100 (A "n":3)\n'
        '9 (A "n":3)\n'
        '4 (A "n":3 "m":4)\n'),
    'setqi_outside_instance': (
        '(class@ A (n)\n'
        '  (defun g () (setqi n 9) n))\n'
        '(setq o (A 1))\n'
        '(println (o (g)))\n'
        '(println (setqi n 4))\n',
        # real LispE:
        '9\n'
        'Error: setqi can only be used within an instance\n'),
    'several_calls_and_plain_arguments': (
        '(class@ P (x)\n'
        '  (defun dbl () (* 2 x))\n'
        '  (defun inc () (+= x 1)))\n'
        '(setq p (P 7))\n'
        '(println (p (inc) (dbl)))\n'
        '(println p)\n'
        '(println (p (+ 1 2)))\n'
        '(println (p))\n'
        "(println (p 'dbl))\n"
        '(println (p P))\n'
        '(println (p (dbl) P))\n',
        # real LispE:
        '16\n'
        '(P "x":8)\n'
        '3\n'
        'nil\n'
        'dbl\n'
        '(class@ P (x))\n'
        '(class@ P (x))\n'),
    'tail_recursive_method': (
        '(class@ Cnt (n)\n'
        '  (defun down (k) (if (> k 0) (block (+= n 1) (down (- k 1))) n)))\n'
        '(setq c (Cnt 0))\n'
        '(println (c (down 10000)))\n'
        '(println c)\n',
        # real LispE:
        '10000\n'
        '(Cnt "n":10000)\n'),
    'toclean_not_at_exit': (
        '(class@ Res (name)\n'
        "  (defun open_it () (toclean 'close_it))\n"
        '  (defun close_it () (println "closing" name)))\n'
        '(setq r (Res "db"))\n'
        '(println (r (open_it)))\n'
        '(println "end")\n',
        # real LispE:
        'true\n'
        'end\n'),
    'toclean_outside_instance': (
        "(println (toclean 'foo))\n",
        # real LispE:
        'Error: this function can only be called from within a class instance\n'),
    'toclean_runs_on_release': (
        '(class@ Res (name)\n'
        '  (defun open_it () (toclean \'close_it) (+ name " open"))\n'
        '  (defun close_it () (println "closing" name)))\n'
        '(setq r (Res "db"))\n'
        '(println (r (open_it)))\n'
        '(setq r nil)\n'
        '(println "after release")\n'
        '(setq s (Res "other"))\n'
        '(println (s (open_it)))\n'
        '(setq s 5)\n'
        '(println "done")\n',
        # real LispE:
        'db open\n'
        'closing db\n'
        'after release\n'
        'other open\n'
        'closing other\n'
        'done\n'),
    'trainer_with_optimizer_object': (
        '(class@ Opt (lr step)\n'
        '  (defun tick () (+= step 1) (setqi lr (* lr 0.5)) step))\n'
        '(class@ Trainer (opt losses global_step)\n'
        '  (defun train_step (l) (push losses l) (opt (tick)) (+= global_step 1))\n'
        "  (defun train (ls) (loop l ls (train_step l)) (list global_step (@ opt 'step) (@ opt 'lr) losses)))\n"
        '(setq t (Trainer (Opt 1.0 0) (floats) 0))\n'
        '(println (t (train (floats 0.5 0.25 0.125))))\n'
        '(println (t (train (floats 0.1))))\n'
        '(println t)\n',
        # real LispE:
        '(3 3 0.125 (0.5 0.25 0.125))\n'
        '(4 4 0.0625 (0.5 0.25 0.125 0.1))\n'
        '(Trainer "opt":(Opt "lr":0.0625 "step":4) "losses":(0.5 0.25 0.125 0.1) "global_step":4)\n'),
    'unknown_method_is_unbound': (
        '(class@ P (x)\n'
        '  (defun dbl () (* 2 x)))\n'
        '(setq p (P 5))\n'
        '(println (p (nosuch)))\n',
        # real LispE:
        "Error: Unbound atom: 'nosuch'\n"),
    'withclass_empty': (
        '(class@ P (x y)\n'
        '  (defun total () (+ x y)))\n'
        '(class@ Q (z)\n'
        '  (defun total () (* 10 z))\n'
        '  (defun other () 5))\n'
        '(setq p (P 3 4))\n'
        '(setq q (Q 3))\n'
        '(println (withclass P))\n',
        # real LispE:
        'nil\n'),
    'withclass_instance_name': (
        '(class@ P (x y)\n'
        '  (defun total () (+ x y)))\n'
        '(class@ Q (z)\n'
        '  (defun total () (* 10 z))\n'
        '  (defun other () 5))\n'
        '(setq p (P 3 4))\n'
        '(setq q (Q 3))\n'
        '(withclass p (println (p (total))))\n',
        # real LispE:
        '7\n'),
    'withclass_last_form': (
        '(class@ P (x y)\n'
        '  (defun total () (+ x y)))\n'
        '(class@ Q (z)\n'
        '  (defun total () (* 10 z))\n'
        '  (defun other () 5))\n'
        '(setq p (P 3 4))\n'
        '(setq q (Q 3))\n'
        '(println (withclass P 1 2))\n',
        # real LispE:
        '2\n'),
    'withclass_mismatch': (
        '(class@ P (x y)\n'
        '  (defun total () (+ x y)))\n'
        '(class@ Q (z)\n'
        '  (defun total () (* 10 z))\n'
        '  (defun other () 5))\n'
        '(setq p (P 3 4))\n'
        '(setq q (Q 3))\n'
        '(withclass P (println (q (total))))\n',
        # real LispE:
        'Error: mismatch between class instance and class definition\n'),
    'withclass_own_class': (
        '(class@ P (x y)\n'
        '  (defun total () (+ x y)))\n'
        '(class@ Q (z)\n'
        '  (defun total () (* 10 z))\n'
        '  (defun other () 5))\n'
        '(setq p (P 3 4))\n'
        '(setq q (Q 3))\n'
        '(println (q Q (total)))\n',
        # real LispE:
        '30\n'),
    'withclass_unknown_name': (
        '(class@ P (x y)\n'
        '  (defun total () (+ x y)))\n'
        '(class@ Q (z)\n'
        '  (defun total () (* 10 z))\n'
        '  (defun other () 5))\n'
        '(setq p (P 3 4))\n'
        '(setq q (Q 3))\n'
        '(withclass Zork (println "zork"))\n',
        # real LispE:
        'zork\n'),
    'withclass_value': (
        '(class@ P (x y)\n'
        '  (defun total () (+ x y)))\n'
        '(class@ Q (z)\n'
        '  (defun total () (* 10 z))\n'
        '  (defun other () 5))\n'
        '(setq p (P 3 4))\n'
        '(setq q (Q 3))\n'
        '(println (withclass P (p (total))))\n',
        # real LispE:
        '7\n'),
}


@pytest.mark.parametrize("name", sorted(REAL_CASES))
def test_instance_state_as_real_lispe(name):
    src, expected = REAL_CASES[name]
    assert run_program(src) == expected
