print("lm-eval: not built yet")
