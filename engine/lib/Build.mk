obj-y += log.o xmalloc.o io.o
