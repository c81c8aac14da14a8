/** A problem with the project, its stack files or its program that the user can fix; printed without a stack trace. */
export class ProjectError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ProjectError";
    }
}
