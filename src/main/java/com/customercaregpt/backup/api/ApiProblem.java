package com.customercaregpt.backup.api;

/** Answers the REST API gives to a request it will not serve, each with its HTTP status. */
public abstract class ApiProblem extends RuntimeException {

    private final int status;
    private final String error;

    ApiProblem(int status, String error, String detail) {
        super(detail);
        this.status = status;
        this.error = error;
    }

    public int status() {
        return status;
    }

    public String error() {
        return error;
    }

    /** 401, deliberately saying nothing about why. */
    public static final class Unauthorized extends ApiProblem {
        public Unauthorized() {
            super(401, "unauthorized", null);
        }
    }

    public static final class BadRequest extends ApiProblem {
        public BadRequest(String error, String detail) {
            super(400, error, detail);
        }
    }

    public static final class NotFound extends ApiProblem {
        public NotFound(String detail) {
            super(404, "not found", detail);
        }
    }

    /** Another operation that writes to the repository is running. */
    public static final class Conflict extends ApiProblem {
        public Conflict(String detail) {
            super(409, "conflict", detail);
        }
    }
}
