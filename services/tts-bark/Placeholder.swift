// placeholder so the target exists while it is being written
