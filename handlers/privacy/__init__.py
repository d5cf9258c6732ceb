"""A person's own data: what is stored (mydata), erasing it (forget-me), and retention."""
