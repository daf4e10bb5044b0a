package io.plakar.pve.sdk;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.Field;

/**
 * Takes the gRPC stream's output away from everything else in the process.
 *
 * The launcher moves the host's stdout pipe to fd 3 and points fd 1 at stderr before the
 * JVM starts ({@code -Dplakar.stdout.fd=3}); we adopt fd 3 here. Without the launcher (a
 * developer running the class directly), fd 1 is used and {@code System.out} is redirected
 * to stderr, which covers Java code but not the JVM itself.
 */
final class StdioStreams {
    private StdioStreams() {
    }

    static OutputStream takeOverStdout() {
        String fdProperty = System.getProperty("plakar.stdout.fd");
        OutputStream grpcOut;
        if (fdProperty != null && !fdProperty.isEmpty()) {
            grpcOut = new FileOutputStream(adopt(Integer.parseInt(fdProperty)));
        } else {
            grpcOut = new FileOutputStream(FileDescriptor.out);
        }
        System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.err), true));
        return grpcOut;
    }

    static FileInputStream stdin() {
        return new FileInputStream(FileDescriptor.in);
    }

    private static FileDescriptor adopt(int fd) {
        try {
            FileDescriptor d = new FileDescriptor();
            Field f = FileDescriptor.class.getDeclaredField("fd");
            f.setAccessible(true);
            f.setInt(d, fd);
            return d;
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot adopt file descriptor " + fd
                    + " for the gRPC stream (the launcher passes --add-opens java.base/java.io=ALL-UNNAMED): " + e, e);
        }
    }
}
