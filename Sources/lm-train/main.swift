print("lm-train: not built yet")
