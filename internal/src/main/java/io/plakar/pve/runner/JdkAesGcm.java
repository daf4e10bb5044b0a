package io.plakar.pve.runner;

import com.hierynomus.sshj.transport.cipher.GcmCipher;
import net.schmizz.sshj.common.Factory;
import net.schmizz.sshj.common.SSHRuntimeException;
import net.schmizz.sshj.transport.cipher.Cipher;

import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * sshj's AES-GCM cipher, but on the JDK's own provider (SunJCE) instead of the BouncyCastle
 * provider sshj registers and prefers. BouncyCastle's AES and GHASH are plain Java (~110 MB/s
 * measured); SunJCE's are HotSpot intrinsics (AES-NI/VAES, CLMUL), several times faster. The
 * packet format and counter handling are sshj's {@link GcmCipher}; only the engine changes.
 */
final class JdkAesGcm extends GcmCipher {
    private static final String PROVIDER = "SunJCE";
    private final int keyBytes;

    private JdkAesGcm(int keyBits) {
        super(12, 16, keyBits / 8, "AES", "AES/GCM/NoPadding");
        this.keyBytes = keyBits / 8;
    }

    static Factory.Named<Cipher> factory(int keyBits) {
        String name = "aes" + keyBits + "-gcm@openssh.com";
        return new Factory.Named<>() {
            @Override
            public Cipher create() {
                return new JdkAesGcm(keyBits);
            }

            @Override
            public String getName() {
                return name;
            }

            @Override
            public String toString() {
                return name + " (SunJCE)";
            }
        };
    }

    /** True when the JDK provider can do AES-GCM (always on a standard JDK). */
    static boolean available() {
        try {
            javax.crypto.Cipher.getInstance("AES/GCM/NoPadding", PROVIDER);
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    @Override
    public void init(Mode mode, byte[] key, byte[] iv) {
        try {
            cipher = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding", PROVIDER);
            initCipher(cipher, mode, Arrays.copyOf(key, keyBytes), Arrays.copyOf(iv, 12));
        } catch (GeneralSecurityException e) {
            cipher = null;
            throw new SSHRuntimeException(e);
        }
    }
}
