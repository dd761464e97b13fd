; A short tour of LispE as lispe-py runs it (no torch needed).
; Run: lispe-py examples/language_tour.lsp

; functions, optional and rest parameters
(defun greet (name (greeting "Hello") (() rest))
   (+ greeting ", " name (if rest (+ " and " (join rest ", ")) "")))
(println (greet "LispE"))
(println (greet "Ada" "Hi" "Alan" "Grace"))

; recursion, tail calls and the first-operand number rule
(defun fact (n) (if (<= n 1) 1 (* n (fact (- n 1)))))
(defun count_down (n acc) (if (eq n 0) acc (count_down (- n 1) (+ acc 1))))
(println "20! =" (fact 20) "| 100000 tail calls:" (count_down 100000 0))
(println "(+ 1 2.5) =" (+ 1 2.5) "| (+ 2.5 1) =" (+ 2.5 1) "| (/ 7 2) =" (/ 7 2))

; lists, typed lists and higher-order functions
(setq squares (map (λ (x) (* x x)) (iota 10)))
(println "squares:" squares)
(println "even squares:" (filter (λ (x) (eq (% x 2) 0)) squares) "sum:" (sum squares))
(println "typed:" (integers 1 2 3) (floats 1.5 2) (strings "a" "b") "at -1:" (at squares -1))
(println "folds:" (foldl '+ 0 (iota 5)) (scanl '+ 0 (iota 5)) (zip (iota 3) (strings "a" "b" "c")))

; dictionaries (printed sorted by key) and the torch documentation's dict/get
(setq config (dict "vocab_size" 128256 "embed_dim" 4096 "num_heads" 32))
(println config)
(println "embed_dim:" (get config "embed_dim") "missing:" (get config "dropout" 0.1))
(setq counts {})
(loop w (split "the cat saw the dog and the bird" " ")
   (set@ counts w (+ 1 (select (key@ counts w) 0))))
(println "word counts:" counts)

; strings
(println (upper "lispe") (format "%1 has %2 letters" "lispe" (size "lispe")) (replace "a-b-c" "-" "+"))

; errors are values when caught
(setq r (catch (/ 1 0)))
(println "caught:" r "| maybe:" (maybe (car 5) "fallback"))

; loops and composition
(setq total 0)
(loopcount 5 i (setq total (+ total i)))
(println "loopcount total:" total "| composition:" (sqrt . + 10 6))
(fact 15)
