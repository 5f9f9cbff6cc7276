package io.thinksafe.train;

import java.nio.charset.StandardCharsets;

/** FNV-1a over a run's data, in a checkpoint's identity so that a resumed run refuses changed data. */
final class Fingerprint {
    private long h = 0xcbf29ce484222325L;

    Fingerprint add(long v) {
        h = (h ^ v) * 0x100000001b3L;
        return this;
    }

    /** The text's UTF-8 bytes, then a separator (so that "ab","c" and "a","bc" differ). */
    Fingerprint add(String s) {
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            add(b & 0xff);
        }
        return add(0x1f);
    }

    /** {@code hex/count}: the hash and how many items went in. */
    String of(int count) {
        return Long.toHexString(h) + "/" + count;
    }
}
