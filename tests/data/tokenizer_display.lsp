(print (tokenizer_display (tokenizer_rules)))
(print (tokenizer_display (tokenizer_main)))
(print (tokenizer_display (segmenter false 0)))
(print (tokenizer_display (segmenter true 2)))
