all: j1
j1:
	@true
.PHONY: all j1
