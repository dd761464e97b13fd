"""Sets, llist, ranges, mloop/lloop, folds and scans, takewhile/dropwhile, @@ ... (checked on
the real LispE)."""


def test_sets(lispe):
    assert lispe("(list {1 2 3} (type {1 2 3}) {\"b\" \"a\" \"b\"} (type {\"a\"}))") == \
        '({1 2 3} set_i_ {"a" "b"} set_s_)'
    assert lispe("(list (in {1 2 3} 2) (size {1 2 3}))") == "(true 3)"


def test_llist(lispe):
    assert lispe("(list (llist 1 2 3) (car (llist 1 2)) (cdr (llist 1 2 3)) (type (cdr (llist 1 2 3))))") \
        == "((1 2 3) 1 (2 3) llist_)"
    assert lispe("(setq l (llist 1 2)) (push l 3)") == "(3 1 2)"
    assert lispe("(list (cons 'a 'b) (conspoint 1 2) (to_llist (list 1 2)))") == "((a . b) (1 . 2) (1 2))"


def test_ranges(lispe):
    assert lispe("(list (range 0 5 1) (range 0 1 0.25) (range 5 0 -1) (rangein 0 5 1))") == \
        "((0 1 2 3 4) (0 0.25 0.5 0.75) (5 4 3 2 1) (0 1 2 3 4 5))"
    # LispE quirks: a positive step going down is negated; rangein ends at b + step
    assert lispe("(list (range 5 0 2) (rangein 5 0 1) (range 0 -1 1) (rangein 0 5 2) (range 0 5 -1))") == \
        "((5 3 1) (5 4 3 2) (0) (0 2 4 6) ())"


def test_irange_loop(lispe):
    assert lispe("(loop x (irange 0 10 3) (println x))") == "0\n3\n6\n9\n"
    assert lispe("(loop x (irange 0 1) (if (> x 2) (break)) (println x))") == "0\n1\n2\nnil"


def test_mloop_lloop(lispe):
    assert lispe("(mloop (a b) (list 1 2 3) (list 4 5) (println a b))") == "1 4\n2 5\n3 4\n"
    assert lispe("(lloop (a b) (list 1 2 3) (list 4 5) (println a b))") == "1 4\n2 5\n"


def test_folds_scans(lispe):
    src = ("(list (foldl '- 10 (list 1 2 3)) (foldr '- 10 (list 1 2 3)) (foldl1 '- (list 10 2 3))"
           " (foldr1 '- (list 10 2 3)) (scanl '+ 0 (list 1 2 3)) (scanl1 '+ (list 1 2 3))"
           " (scanr '+ 0 (list 1 2 3)) (scanr1 '+ (list 1 2 3)))")
    assert lispe(src) == "(4 -8 5 11 (0 1 3 6) (1 3 6) (6 5 3 0) (6 5 3))"


def test_takewhile_dropwhile(lispe):
    assert lispe("(list (takewhile '(< 3) (list 1 2 3 4 1)) (dropwhile (λ (x) (< x 3)) (list 1 2 3 4 1))"
                 " (dropwhile '(> 3) (list 1 2 3 4 1)))") == "((1 2) (4 1) (2 3 4 1))"


def test_extract_to_the_end(lispe):
    assert lispe("(setq l (list 1 2 3 4 5)) (list (@@ l 1 -) (@@ l -2 0) (@@ l 1 -1))") == \
        "((2 3 4 5) (4 5) (2 3 4))"


def test_function_arguments(lispe):
    import pytest
    from lispe_py.errors import LispEError
    assert lispe("(list (map car '((1 2) (3 4))) (zipwith + '(1 2) '(3 4)) (apply + '(1 2)))") == \
        "((1 3) (4 6) 3)"
    with pytest.raises(LispEError, match="Not a function or a data structure"):
        lispe("(setq a '+) (map a '(1 2 3))")
    with pytest.raises(LispEError, match="cannot evaluate this instruction: 'car'"):
        lispe("(list car)")
    assert lispe("(list (type 'type) (type +) (type 'car))") == "(type + car)"


def test_list_helpers(lispe):
    assert lispe("(list (slice (list 1 2 3 4 5) 2) (slice \"abcdef\" 4) (swap (list 1 2 3) 0 2)"
                 " (nconcn (list 1) 2) (⌽ (list 1 2 3 4)) (ρ (rho 2 3 (iota 6))))") == \
        '(((1 2) (3 4) (5)) ("abcd" "ef") (3 2 1) (1 2) (2 3 4 1) (2 3))'


def test_return_outside_function(lispe):
    assert lispe("(println (while true (return 'test)))") == "test\n"
    assert lispe("(block (return 3) 4)") == "3"
