; A chat tokenizer class for the Llama 3 chat format, over lispe_tiktoken, in the style of the
; lispetorch author's tokenize_qwen.lisp and lora_training.lisp.
;
; Nothing is downloaded: the tokenizer.json-like dictionary is built here from the shipped corpus
; (the 256 byte-level tokens, the frequent words of examples/data/corpus.txt with and without
; their leading space, Llama 3's special tokens and split pattern), then read with the same paths
; as the author's programs: (@ tok_file "model" "vocab"), (@ tok_file "added_tokens"),
; (@ tok_file "pre_tokenizer" "pretokenizers" 0 "pattern" "Regex").
;
; Run: lispe-py examples/llama3_chat_tokenizer.lsp

(use 'lispe_tiktoken)

(setq corpus_path (+ _current "data/corpus.txt"))

(setq llama3_pattern `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`)

(setq llama3_specials (strings "<|begin_of_text|>" "<|end_of_text|>" "<|start_header_id|>"
                               "<|end_header_id|>" "<|eot_id|>"))

; ---------------------------------------------------------------- building a tokenizer.json

(defun byte_level_char(b)
   ; GPT-2's byte-level alphabet: printable bytes stand for themselves, the others are moved
   ; to 256 and up in byte order (the space byte is Ġ, the newline Ċ)
   (if (or (and (>= b 33) (<= b 126)) (and (>= b 161) (<= b 172)) (>= b 174))
      (chr b)
      (block
         (setq moved 0)
         (loopcount b c
            (check (not (or (and (>= c 33) (<= c 126)) (and (>= c 161) (<= c 172)) (>= c 174)))
               (+= moved 1)))
         (chr (+ 256 moved)))))

(defun ascii_word(w)
   (and (> (size w) 1) (alphap w) (< (max (ord w)) 128)))

(defun frequent_words(text how_many)
   ; the how_many most frequent ASCII words (ties: alphabetical), at least twice in text
   (setq counts (dictionary))
   (loop line (split text "\n")
      (loop w (split line " ")
         (check (ascii_word w)
            (set@ counts w (+ 1 (select (key@ counts w) 0))))))
   (setq words (filterlist (λ (w) (> (@ counts w) 1)) (keys@ counts)))
   (setq words (sort (λ (a b) (or (> (@ counts a) (@ counts b))
                                  (and (== (@ counts a) (@ counts b)) (< a b))))
                     words))
   (if (> (size words) how_many) (@@ words 0 how_many) words))

(defun build_tokenizer_json(text how_many)
   ; ids: the bytes first, then the words by length (a token comes after its parts, so the ids
   ; are a BPE merge order), then the special tokens
   (setq vocab (dictionary))
   (loopcount 256 b (set@ vocab (byte_level_char b) b))
   (setq pieces (list "ĊĊ" "system" "user" "assistant"))
   (loop w (frequent_words text how_many)
      (push pieces w)
      (push pieces (+ "Ġ" w)))
   (setq pieces (sort (λ (a b) (or (< (size a) (size b)) (and (== (size a) (size b)) (< a b))))
                      pieces))
   (loop p pieces (set@ vocab p (size vocab)))
   (setq added (list))
   (loop s llama3_specials
      (push added (dictionary "id" (+ (size vocab) (size added)) "content" s "special" true)))
   (dictionary
      "model" (dictionary "type" "BPE" "vocab" vocab)
      "added_tokens" added
      "pre_tokenizer" (dictionary "type" "Sequence"
         "pretokenizers" (list (dictionary "type" "Split"
                                           "pattern" (dictionary "Regex" llama3_pattern))))))

; ---------------------------------------------------------------- the chat tokenizer class

(class@ Llama3ChatTokenizer (tok_file init)
   (defun configure()
      (setq pattern (@ tok_file "pre_tokenizer" "pretokenizers" 0 "pattern" "Regex"))
      (setqi tokenizer (tiktoken_create
         (@ tok_file "model" "vocab")
         (@ tok_file "added_tokens")
         pattern))
      (setqi bos_id (tiktoken_special_encode tokenizer "<|begin_of_text|>"))
      (setqi start_id (tiktoken_special_encode tokenizer "<|start_header_id|>"))
      (setqi end_id (tiktoken_special_encode tokenizer "<|end_header_id|>"))
      (setqi eot_id (tiktoken_special_encode tokenizer "<|eot_id|>"))
      (setqi eos_ids (integers eot_id (tiktoken_special_encode tokenizer "<|end_of_text|>")))
      true)

   (defun header(role)
      ; <|start_header_id|>role<|end_header_id|>\n\n
      (integers start_id (tiktoken_encode tokenizer role) end_id
                (tiktoken_encode tokenizer "\n\n")))

   (defun encode_message(role content)
      (integers (header role) (tiktoken_encode tokenizer (trim content)) eot_id))

   (defun encode_dialog(messages add_generation_prompt)
      ; messages: a list of (role content); the prompt of a generation ends with the
      ; assistant's header
      (setq ids (integers bos_id))
      (loop m messages (extend ids (encode_message (@ m 0) (@ m 1))))
      (if add_generation_prompt (extend ids (header "assistant")))
      ids)

   (defun training_labels(messages)
      ; the targets of supervised fine-tuning: the assistant's tokens (and its <|eot_id|>),
      ; -100 (ignored by the loss) everywhere else
      (setq labels (integers -100))
      (loop m messages
         (setq h (header (@ m 0)))
         (setq body (integers (tiktoken_encode tokenizer (trim (@ m 1))) eot_id))
         (extend labels (rho (size h) (integers -100)))
         (if (eq (@ m 0) "assistant")
            (extend labels body)
            (extend labels (rho (size body) (integers -100)))))
      labels)

   (defun decode(ids)
      (tiktoken_decode tokenizer ids))

   (defun turns(ids)
      ; the (role content) pairs of an encoded dialog, read back from the special tokens
      (setq result (list))
      (setq role nil)
      (setq current (integers))
      (setq in_header false)
      (loop id ids
         (cond
            ((== id start_id) (setq in_header true) (setq current (integers)))
            ((== id end_id) (setq in_header false) (setq role (decode current))
               (setq current (integers)))
            ((== id eot_id) (push result (list role (trim (decode current))))
               (setq current (integers)))
            ((== id bos_id) nil)
            (true (push current id))))
      result)

   (defun vocab_size()
      (tiktoken_vocab_size tokenizer))
)

; ---------------------------------------------------------------- using it

(setq tok_file (build_tokenizer_json (fread corpus_path) 300))
(setq chat (Llama3ChatTokenizer tok_file (configure)))
(println "vocabulary:" (chat (vocab_size)) "tokens +" (size (@ tok_file "added_tokens")) "special")
(println "special ids: bos" (@ chat 'bos_id) "header" (@ chat 'start_id) (@ chat 'end_id)
         "eot" (@ chat 'eot_id))

(setq dialog (list
   (list "system" "You are a helpful assistant.")
   (list "user" "What does the river carry to the sea?")
   (list "assistant" "The river carries water, sand and the stories of the valley.")))

(setq ids (chat (encode_dialog dialog false)))
(println "dialog:" (size ids) "tokens for" (size (chat (decode ids))) "characters")
(println (chat (decode ids)))

; every special token is one id, and decoding gives the text back
(setq text (chat (decode ids)))
(check (neq text (+ "<|begin_of_text|>"
   "<|start_header_id|>system<|end_header_id|>\n\nYou are a helpful assistant.<|eot_id|>"
   "<|start_header_id|>user<|end_header_id|>\n\nWhat does the river carry to the sea?<|eot_id|>"
   "<|start_header_id|>assistant<|end_header_id|>\n\n"
   "The river carries water, sand and the stories of the valley.<|eot_id|>"))
   (throw "the dialog does not decode to its text"))
(check (neq ids (tiktoken_encode (@ chat 'tokenizer) text))
   (throw "encoding the decoded text gives other ids"))
(println "round trip: ok")

(println "turns read back:")
(loop turn (chat (turns ids))
   (println (+ "  " (@ turn 0) ":") (@ turn 1)))

(setq labels (chat (training_labels dialog)))
(check (neq (size labels) (size ids)) (throw "labels and ids differ in length"))
(setq supervised (filterlist (λ (x) (>= x 0)) labels))
(println "supervised tokens:" (size supervised) "of" (size ids) "->"
         (chat (decode supervised)))

; a generation prompt ends with the assistant's header; generation stops at eos_ids
(setq prompt (chat (encode_dialog (@@ dialog 0 2) true)))
(setq header (chat (header "assistant")))
(println "generation prompt:" (size prompt) "tokens, ending with the assistant header"
         (@@ prompt (- (size prompt) (size header)) 0) "=" header "; generation stops at" (@ chat 'eos_ids))
