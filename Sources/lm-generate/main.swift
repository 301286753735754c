print("lm-generate: not built yet")
