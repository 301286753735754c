import LMText
print("lm-vocab")
