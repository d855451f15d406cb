/*
 * Copyright 2026 the pg-arrow-cdc authors
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
package dev.pgarrowcdc.flink.testutils;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A loopback TCP forwarder in front of a server, for tests of dropped connections: {@link
 * #dropConnections()} resets every connection made through it so far, as a failed network would,
 * while new connections keep working. {@link #corruptOnce} changes one byte the server sends, for
 * tests of what a reader does with bytes it cannot decode.
 */
public final class TcpProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final String targetHost;
    private final int targetPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    /** Armed by {@link #corruptOnce}: the pattern, the offset in it to change, the new byte. */
    private final AtomicReference<Corruption> corruption = new AtomicReference<>();

    public TcpProxy(String targetHost, int targetPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.listener = new ServerSocket();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.acceptor = new Thread(this::acceptLoop, "tcp-proxy-" + listener.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public String host() {
        return InetAddress.getLoopbackAddress().getHostAddress();
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Resets both sides of every connection opened so far. */
    public void dropConnections() {
        for (Socket s : sockets) {
            try {
                s.setSoLinger(true, 0); // RST instead of FIN
                s.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
        sockets.clear();
    }

    /**
     * The next time the server sends {@code pattern} (on any connection), byte {@code offset} of it
     * reaches the client as {@code replacement} instead; once. The bytes of a partial match are
     * held back until the match completes or fails, so a pattern split across reads is found too.
     */
    public void corruptOnce(byte[] pattern, int offset, byte replacement) {
        if (offset < 0 || offset >= pattern.length) {
            throw new IllegalArgumentException("offset " + offset + " outside the pattern");
        }
        corruption.set(new Corruption(pattern.clone(), offset, replacement));
    }

    /** Whether an armed {@link #corruptOnce} has been applied. */
    public boolean corrupted() {
        Corruption c = corruption.get();
        return c != null && c.done;
    }

    private static final class Corruption {
        final byte[] pattern;
        final int offset;
        final byte replacement;
        volatile boolean done;

        Corruption(byte[] pattern, int offset, byte replacement) {
            this.pattern = pattern;
            this.offset = offset;
            this.replacement = replacement;
        }
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(targetHost, targetPort);
                sockets.add(client);
                sockets.add(server);
                pump(client, server, null);
                pump(server, client, corruption);
            } catch (IOException e) {
                if (listener.isClosed()) {
                    return;
                }
            }
        }
    }

    private static void pump(Socket from, Socket to, AtomicReference<Corruption> corruption) {
        Thread t =
                new Thread(
                        () -> {
                            byte[] buf = new byte[64 * 1024];
                            ByteArrayOutputStream held = new ByteArrayOutputStream();
                            try (InputStream in = from.getInputStream();
                                    OutputStream out =
                                            new BufferedOutputStream(
                                                    to.getOutputStream(), 64 * 1024)) {
                                int n;
                                while ((n = in.read(buf)) >= 0) {
                                    Corruption c = corruption == null ? null : corruption.get();
                                    if (c == null || c.done) {
                                        out.write(held.toByteArray());
                                        held.reset();
                                        out.write(buf, 0, n);
                                    } else {
                                        for (int i = 0; i < n; i++) {
                                            match(c, buf[i], held, out);
                                        }
                                    }
                                    out.flush();
                                }
                            } catch (IOException ignored) {
                                // either side closed or reset
                            } finally {
                                try {
                                    to.close();
                                } catch (IOException ignored) {
                                    // closing anyway
                                }
                            }
                        },
                        "tcp-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    /**
     * One byte through the matcher of {@link #pump}: {@code held} is the longest suffix of what
     * arrived that is a prefix of the pattern (not sent yet); everything before it is sent.
     */
    private static void match(Corruption c, byte b, ByteArrayOutputStream held, OutputStream out)
            throws IOException {
        if (c.done) {
            out.write(b);
            return;
        }
        held.write(b);
        byte[] h = held.toByteArray();
        int from = 0;
        while (from < h.length && !isPrefix(c.pattern, h, from)) {
            from++;
        }
        out.write(h, 0, from);
        held.reset();
        if (h.length - from == c.pattern.length) {
            byte[] hit = Arrays.copyOfRange(h, from, h.length);
            hit[c.offset] = c.replacement;
            out.write(hit);
            c.done = true;
        } else {
            held.write(h, from, h.length - from);
        }
    }

    private static boolean isPrefix(byte[] pattern, byte[] h, int from) {
        for (int i = from; i < h.length; i++) {
            if (h[i] != pattern[i - from]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        listener.close();
        dropConnections();
    }
}
