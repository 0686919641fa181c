"""The app's server bounds the images it decodes at once and gives freed memory back."""

import threading
import time

from skdigit.app._launch import MMAP_THRESHOLD, server_environment
from skdigit.app._reads import MAX_CONCURRENT_READS, reading_slot


def test_reads_wait_for_a_slot():
    inside, most = [0], [0]
    lock = threading.Lock()

    def read():
        with reading_slot():
            with lock:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            time.sleep(0.02)
            with lock:
                inside[0] -= 1

    threads = [threading.Thread(target=read) for _ in range(4 * MAX_CONCURRENT_READS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most[0] == MAX_CONCURRENT_READS and inside[0] == 0


def test_server_environment_maps_large_blocks_unless_told_otherwise():
    env = server_environment({"PATH": "/bin"})
    assert env == {"PATH": "/bin", "MALLOC_MMAP_THRESHOLD_": str(MMAP_THRESHOLD)}
    assert server_environment({"MALLOC_MMAP_THRESHOLD_": "0"})["MALLOC_MMAP_THRESHOLD_"] == "0"
