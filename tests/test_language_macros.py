"""defmacro: substitution at compile time, $ rest parameters."""


def test_defmacro_basic(lispe):
    assert lispe("(defmacro sq (x) (* x x)) (sq 5)") == "25"
    assert lispe("(defmacro within (x l) (not (in l x))) (list (within 3 '(1 2)) (within 1 '(1 2)))") \
        == "(true nil)"


def test_defmacro_several_body_forms(lispe):
    # LispE accepts several body forms; the last gives the value
    assert lispe("(defmacro m (x) (+ x 1) (+ x 2)) (m 1)") == "3"


def test_defmacro_rest(lispe):
    assert lispe("(defmacro m (x $ r) (list x 'r)) (m 1 2 3)") == "(1 (2 3))"
    assert lispe("(defmacro m (x $ r) (+ x (size 'r))) (m 1 2 3)") == "3"
    # "$ r" in the body splices the rest
    assert lispe("(defmacro m (f $ r) (f $ r)) (m + 1 2 3)") == "6"
    assert lispe("(defmacro m (f $ r) (list $ r)) (m + 1 2 3)") == "(1 2 3)"
