"""Raw-socket helpers the front-door tests share."""
import time


def read_until_closed(s, limit):
    """Everything the server sends on s until it closes, for at most limit seconds."""
    out, deadline = b"", time.time() + limit
    while time.time() < deadline:
        s.settimeout(max(0.01, deadline - time.time()))
        try:
            data = s.recv(65536)
        except (TimeoutError, ConnectionResetError):
            break
        if not data:
            break
        out += data
    return out


def trickle(senders, chunks, stop, pause=0.1):
    """Sends each chunk to every sender in turn, pause seconds apart, until
    stop is set: a slow client on every connection."""
    for chunk in chunks:
        if stop.is_set():
            return
        for s in senders:
            try:
                s.sendall(chunk)
            except OSError:
                pass
        time.sleep(pause)
