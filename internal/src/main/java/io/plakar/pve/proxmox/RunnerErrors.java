package io.plakar.pve.proxmox;

import io.plakar.pve.runner.RunnerException;
import io.plakar.pve.sdk.ConnectorException;

/** Where a runner's failure becomes the status a Plakar user sees; the runners themselves know no gRPC. */
public final class RunnerErrors {
    private RunnerErrors() {
    }

    public static ConnectorException toConnector(RunnerException e) {
        ConnectorException.Kind kind = switch (e.reason()) {
            case BAD_SETTINGS -> ConnectorException.Kind.INVALID_CONFIG;
            case AUTH_REFUSED -> ConnectorException.Kind.PERMISSION_DENIED;
            case UNREACHABLE -> ConnectorException.Kind.UNAVAILABLE;
            case REFUSED, FAILED -> ConnectorException.Kind.FAILED;
        };
        return new ConnectorException(kind, e.getMessage(), e);
    }
}
