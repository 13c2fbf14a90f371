obj-y += tap.o
obj-y += vdso-edit.o
