obj-y += main.o pbfmt.o cmd-check.o cmd-image.o cmd-checkpoint.o cmd-restore.o
obj-y += ct.o ct-conf.o ct-rootfs.o ct-cgroup.o ct-net.o ct-start.o ct-stop.o ct-exec.o
obj-y += ct-disk.o ct-limits.o cmd-set.o
obj-y += ct-cr-dump.o ct-cr-restore.o ct-cr-ns.o
obj-y += ct-cr-extra.o
obj-y += cmd-create.o cmd-start.o cmd-stop.o cmd-restart.o cmd-exec.o cmd-enter.o cmd-status.o cmd-list.o cmd-destroy.o
