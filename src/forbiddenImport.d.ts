// A tree's tsconfig maps the packages that tree must not import (`vscode` outside the host, tfjs in
// the host) to this file. It declares no module, so such an import fails to compile with TS2306,
// naming this file.
