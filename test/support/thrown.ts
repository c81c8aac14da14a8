/** The message of the error `f` throws, which must be a `type` (a test fails if `f` returns). */
export function thrownMessage(f: () => unknown, type: abstract new (...args: any[]) => Error): string {
    try {
        f();
    } catch (e) {
        expect(e).toBeInstanceOf(type);
        return (e as Error).message;
    }
    throw new Error(`no error (expected a ${type.name})`);
}
