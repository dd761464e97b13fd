"""Ontologies (issue 15): ontology, ontology_create, ontology_concept, ontology_contain, ontology_intersect, ontology_add, ontology_remove, ontology_list, ontology_find, ontology_absurd, ontology_absurdp, ontology_all, ontology_ontology.

Each expected value is what the real LispE 1.2025.11.12 prints for the same program
(recorded with ../shared/tools/lispe-real)."""

import pytest

from lispe_py.errors import LispEError

CASES = [
    ('(setq h (ontology "animals")) (list h (type h))',
     '(animals ontology_)'),
    ('(setq h (ontology "a")) (setq c (ontology_create h "animal")) (list c (type c))',
     '(animal concept_)'),
    ('(setq h (ontology "a")) (setq an (ontology_create h "animal")) (setq dog (ontology_create h "dog" an)) (list (ontology_contain dog an) (ontology_contain an dog) (ontology_intersect an dog))',
     '(true nil true)'),
    ('(setq h (ontology "a")) (setq an (ontology_create h "animal")) (setq dog (ontology_create h "dog" an)) (ontology_list dog)',
     '(dog animal)'),
    ('(setq h (ontology "a")) (setq an (ontology_create h "animal")) (setq dog (ontology_create h "dog" an)) (setq cat (ontology_create h "cat" an)) (ontology_all h)',
     '(cat dog animal _absurd)'),
    ('(setq h (ontology "a")) (map (lambda (n) (ontology_create h n)) \'("a" "b" "c" "d" "e" "f" "g" "h" "i" "j" "k" "l" "m" "n")) (ontology_all h)',
     '(m _absurd a c i b d e f g h n j k l)'),
    ('(setq h (ontology "a")) (setq an (ontology_create h "animal")) (list (ontology_concept h "animal") (ontology_find h an))',
     '(animal "animal")'),
    ('(setq h (ontology "a")) (list (ontology_absurd h) (ontology_absurdp (ontology_absurd h)) (ontology_absurdp (ontology_create h "x")))',
     '(_absurd true nil)'),
    ('(setq h (ontology "a")) (ontology_ontology (ontology_create h "x"))',
     'a'),
    ('(setq h (ontology "a")) (setq a (ontology_create h "a")) (setq b (ontology_create h "b")) (ontology_add a b) (list (ontology_list a) (ontology_contain a b) (ontology_find h a))',
     '((b a) true "a")'),
    ('(setq h (ontology "a")) (setq a (ontology_create h "a")) (setq b (ontology_create h "b")) (setq c (ontology_create h "c")) (ontology_add a (list b c)) (ontology_list a)',
     '(c b a)'),
    ('(setq h (ontology "a")) (setq a (ontology_create h "a")) (setq b (ontology_create h "b" a)) (ontology_remove b a) (list (ontology_list b) (ontology_contain b a))',
     '((b) nil)'),
    ('(setq h (ontology "a")) (setq a (ontology_create h "a")) (ontology_remove a a)',
     'a'),
    ('(setq h (ontology "a")) (setq a (ontology_create h "a")) (setq b (ontology_create h "b" a)) (ontology_find h b)',
     'b'),
    ('(setq h (ontology "a")) (setq a (ontology_create h "a")) (setq b (ontology_create h "b" a)) (setq c (ontology_create h "c" b)) (list (ontology_list c) (ontology_contain c a))',
     '((c b a) true)'),
    ('(setq h (ontology "a")) (ontology_create h "a" (ontology_absurd h))',
     '_absurd'),
    ('(setq h (ontology "a")) (list (ontology_create h "a") (ontology_create h "a"))',
     '(a a)'),
    ('ontology_create',
     '(deflib ontology_create (h name (conc)) Creates a new concept based on its name. The concept description can also be provided)'),
]

ERRORS = [
    ('(setq h (ontology "a")) (ontology_concept h "nothing")',
     'unknown concept'),
    ('(ontology_create 1 "a")',
     'the first argument should be an ontology'),
    ('(ontology_contain 1 2)',
     'We can only compare concepts'),
    ('(ontology_list 1)',
     "the last element should be a 'concept'"),
    ('(setq h (ontology "a")) (ontology_add (ontology_create h "a") 1)',
     'We can only enrich with concepts'),
    ('(setq h (ontology "a")) (setq g (ontology "b")) (ontology_contain (ontology_create h "a") (ontology_create g "a"))',
     'these concepts do not belong to the same ontology'),
]


@pytest.mark.parametrize("src,expected", CASES)
def test_output(lispe, src, expected):
    assert lispe(src) == expected


@pytest.mark.parametrize("src,message", ERRORS)
def test_error(lispe, src, message):
    with pytest.raises(LispEError) as e:
        lispe(src)
    assert message in e.value.text
