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

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway certificate authority and certificates made with the {@code openssl} command: a CA, a
 * server certificate naming {@code localhost} only (so a client that connects to 127.0.0.1 with
 * host name verification must refuse it), and client certificates whose CN is a role (for
 * pg_hba.conf {@code cert} authentication), with the key also as PKCS-8 DER, the form pgjdbc reads.
 */
public final class TestCertificates {

    public static final String SERVER_NAME = "localhost";

    private final Path dir;

    private TestCertificates(Path dir) {
        this.dir = dir;
    }

    /** Makes the CA and the server certificate in {@code dir}. */
    public static TestCertificates create(Path dir) throws IOException {
        TestCertificates certs = new TestCertificates(dir);
        certs.openssl(
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-keyout",
                "ca.key",
                "-out",
                "ca.crt",
                "-subj",
                "/CN=pg-arrow-cdc test CA");
        certs.signed("server", SERVER_NAME, "subjectAltName=DNS:" + SERVER_NAME);
        return certs;
    }

    /** A client certificate for {@code role} (its CN), signed by the CA. */
    public Path clientCert(String role) throws IOException {
        signed("client-" + role, role, "extendedKeyUsage=clientAuth");
        openssl(
                "pkcs8",
                "-topk8",
                "-outform",
                "DER",
                "-nocrypt",
                "-in",
                "client-" + role + ".key",
                "-out",
                "client-" + role + ".pk8");
        return dir.resolve("client-" + role + ".crt");
    }

    /** The PKCS-8 DER key of {@link #clientCert(String)}. */
    public Path clientKey(String role) {
        return dir.resolve("client-" + role + ".pk8");
    }

    public Path ca() {
        return dir.resolve("ca.crt");
    }

    public Path serverCert() {
        return dir.resolve("server.crt");
    }

    public Path serverKey() {
        return dir.resolve("server.key");
    }

    private void signed(String name, String commonName, String extension) throws IOException {
        openssl(
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                name + ".key",
                "-out",
                name + ".csr",
                "-subj",
                "/CN=" + commonName);
        Path ext =
                Files.writeString(
                        dir.resolve(name + ".ext"), extension + "\n", StandardCharsets.US_ASCII);
        openssl(
                "x509",
                "-req",
                "-in",
                name + ".csr",
                "-CA",
                "ca.crt",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                "2",
                "-out",
                name + ".crt",
                "-extfile",
                ext.toString());
    }

    private void openssl(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(args));
        Process p =
                new ProcessBuilder(command)
                        .directory(dir.toFile())
                        .redirectErrorStream(true)
                        .start();
        try {
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(
                        "openssl failed: " + String.join(" ", command) + "\n" + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted running " + command, e);
        }
    }
}
