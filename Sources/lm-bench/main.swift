print("lm-bench: placeholder")
