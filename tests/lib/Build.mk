obj-y += tap.o
