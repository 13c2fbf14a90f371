obj-y += main.o pbfmt.o cmd-check.o cmd-image.o cmd-checkpoint.o cmd-restore.o
