"""The names the real LispE refuses as variable names (``Invalid variable name: 'x'
(keyword)``): its instructions and operators. Library (deflib) functions such as ``padding``,
``fill``, ``round``, ``cos``, the torch builtins and the names LispE does not know are accepted.

Written by ``python tools/variable_names.py --module`` from tests/data/variable_names.json
(the real binary's answers, checked by tests/test_language_names.py); do not edit by hand."""

RESERVED_NAMES = frozenset(r"""
    ! != % %= %__empty__% %__next__% %__quote__% %__void__% %data & &&& &= &~ &~= * ** *= +
    +* += , - -= . / /= < << <<= <= = == > >= >=< >> >>= @ @@ \ ^ ^= ^^ ^^= ^^^ __root__
    _root addr_ and andvalue apply at atom atom? atomp atoms atshape bappend block bodies
    bread break bwrite bytes caaaar caaadr caaar caadar caaddr caadr caar cadaar cadadr
    cadar caddar cadddr caddr cadr car catch cdaaar cdaadr cdaar cdadar cdaddr cdadr cdar
    cddaar cddadr cddar cdddar cddddr cdddr cddr cdr check class@ clone complex cond cons
    cons? consb consp conspoint containerkeys containervalues count cut_ cycle cyclicp data@
    defclass deflib deflibpat defmacro defpat defpred defprol defspace defun determinant
    dethread dictionary dictionaryi dictionaryn dictionarytree dictionarytreei
    dictionarytreen dotimes drop dropcar droplist dropwhile elapse empty? emptyp enum eq
    error_ eval extend extract f_ fappend fclose fgetchars filter filtercar filterlist find
    findall flatten flip float floats foldl foldl1 foldr foldr1 fopen for fputchars fread
    from@ fseek fsize ftell fwrite getchar getfast heap if ife imaginary in infix input@
    insert int16_t integer integers iota iota0 irange irangein irank@ join key@ keyi@ keyn@
    keys@ label lambda last let link list llist lloop load loadcode lock loop loopcount
    lubksb ludcmp map mapcar maplist mark mask@ matrix_float matrix_integer matrix_number
    matrix_short matrix_string matrix_stringbyte max maybe min minmax mloop ncheck nconc
    nconcn neq nil not nth null? nullp number number? numberp numbers or over pipe pop
    popfirst poplast prettify print printerr printerrln println product push pushfirst
    pushlast pushtrue quote range rangein rank@ real repeat replaceall replicate resetmark
    return reverse rfind rho scanl scanl1 scanlist scanr scanr1 select self set set@
    setconst setfast setg seth seti setn setq setqi setqv setrange sets setshape shift
    shorts sign signp size sleep slice solve sort space string string? stringbyte
    stringbytes stringf stringp strings sum swap switch take takecar takelist takenb
    takewhile tensor_float tensor_integer tensor_number tensor_short tensor_string
    tensor_stringbyte this threadclear threadretrieve threadspace threadstore throw to_llist
    toclean torch_tensor_at trace trigger true type unique use values@ wait waiton while
    whilein withclass xor zero? zerop zip zipwith | |= ||| ~ ¨ ¬ ° λ ρ ↑↑ ↗ ↘ ∈ ∏ ∑ ≢ ⊂ ⊃ ⌹
    ⌽ ⌿ ⍀ ⍉ ⍳ ⍳0
""".split())

# the names that let refuses as well (its other bindings are not checked by LispE)
LET_RESERVED_NAMES = frozenset(r"""
%= &= &~= *= += -= /= <<= >>= ^= ^^= set@ setg seth setq setqi setqv setrange setshape |=
""".split())
