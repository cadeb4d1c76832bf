/* One translation unit → its function definitions and their metrics, with libclang.
 *
 * STEP 1 parses the job's command line (relative paths made absolute against the job's directory
 * so they resolve as they did for the compiler, output and dependency-file flags dropped, warnings
 * off: only errors matter).
 * STEP 2 walks declarations (namespaces, classes, templates, extern "C" blocks, friends) and, for
 * every function with a written body outside system headers, STEP 3 walks its body once, keeping
 * the metrics below. A lambda is a function of its own (the plugin instruments its call operator),
 * so the enclosing walk records it separately and does not count its body; a local class's
 * methods are recorded the same way.
 *
 * Metrics, as docs/scan.md defines them:
 * - loc: lines of the definition that hold at least one token (comments and blank lines do not
 *   count), from clang_tokenize over the definition's extent;
 * - statements: statement nodes other than `{}` and `;`, plus expressions used as statements; the
 *   header of an if/for/while/switch/case (its init, condition, increment) and the condition of a
 *   do do not count;
 * - loops: for, range-for, while and do, except do { ... } while (0), which has no back edge;
 * - calls: call sites: calls through functions, pointers, operators, non-POD constructors, new,
 *   delete, throw and dynamic_cast (the last two call the C++ runtime); not __builtin functions,
 *   not POD constructors that compile to nothing;
 * - complexity: 1 + if + loops + case labels + catch + ?: + && + || (McCabe; do-while(0) is no
 *   decision);
 * - ir_estimate: a rough count of the instructions clang emits at -O0, from weights per AST node
 *   (two per parameter, one per load, store, arithmetic, branch, call...). It feeds the trivial
 *   rule only and is calibrated against the plugin's decisions under clang 14 (docs/scan.md has
 *   the agreement measured on googletest and Lua).
 * Offsets used to tell a control statement's header from its body come from the definition's
 * tokens; code expanded from macros has no tokens of its own, so there these rules fall back to
 * counting every expression child as a statement and && / || are not seen.
 */
#include "scan_internal.h"

#include <clang-c/Index.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- Tokens of one definition ---------------------------------------------------------------- */

typedef struct token {
    unsigned offset;
    unsigned line;
    char code; /* '(' ')' ':' '*', '&' for && and "and", '|' for || and "or", 'a' for &, or 0 */
} token;

typedef struct token_list {
    token *items;
    size_t count;
} token_list;

static char token_code(const char *s) {
    if (strcmp(s, "(") == 0 || strcmp(s, ")") == 0 || strcmp(s, ":") == 0)
        return s[0];
    if (strcmp(s, "&&") == 0 || strcmp(s, "and") == 0)
        return '&';
    if (strcmp(s, "||") == 0 || strcmp(s, "or") == 0)
        return '|';
    if (strcmp(s, "*") == 0)
        return '*';
    if (strcmp(s, "&") == 0)
        return 'a';
    return 0;
}

static token_list tokenize(CXTranslationUnit tu, CXSourceRange extent) {
    token_list list = {0};
    CXToken *toks = NULL;
    unsigned n = 0;
    clang_tokenize(tu, extent, &toks, &n);
    if (n == 0)
        return list;
    list.items = hm_xcalloc(n, sizeof *list.items);
    for (unsigned i = 0; i < n; i++) {
        if (clang_getTokenKind(toks[i]) == CXToken_Comment)
            continue; /* libclang lists comments as tokens; no metric counts them */
        CXSourceLocation loc = clang_getTokenLocation(tu, toks[i]);
        clang_getFileLocation(loc, NULL, &list.items[list.count].line, NULL,
                              &list.items[list.count].offset);
        CXString spelling = clang_getTokenSpelling(tu, toks[i]);
        list.items[list.count].code = token_code(clang_getCString(spelling));
        clang_disposeString(spelling);
        list.count++;
    }
    clang_disposeTokens(tu, toks, n);
    return list;
}

/* Index of the first token at or after `offset` (count when none). */
static size_t token_at(const token_list *toks, unsigned offset) {
    size_t lo = 0, hi = toks->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (toks->items[mid].offset < offset)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The file range a cursor occupies after macro expansion: for a function defined by a macro, the
 * macro's use rather than its definition. */
static CXSourceRange expansion_range(CXTranslationUnit tu, CXCursor c) {
    CXSourceRange extent = clang_getCursorExtent(c);
    CXFile first = NULL, last = NULL;
    unsigned from = 0, to = 0;
    clang_getExpansionLocation(clang_getRangeStart(extent), &first, NULL, NULL, &from);
    clang_getExpansionLocation(clang_getRangeEnd(extent), &last, NULL, NULL, &to);
    if (first == NULL || last == NULL || !clang_File_isEqual(first, last) || to < from)
        return extent;
    return clang_getRange(clang_getLocationForOffset(tu, first, from),
                          clang_getLocationForOffset(tu, first, to));
}

static unsigned count_lines(const token_list *toks) {
    unsigned lines = 0, last = 0;
    for (size_t i = 0; i < toks->count; i++) {
        if (toks->items[i].line != last) {
            lines++;
            last = toks->items[i].line;
        }
    }
    return lines;
}

/* ---- Cursor helpers -------------------------------------------------------------------------- */

static unsigned start_offset(CXCursor c) {
    unsigned offset = 0;
    clang_getExpansionLocation(clang_getRangeStart(clang_getCursorExtent(c)), NULL, NULL, NULL,
                               &offset);
    return offset;
}

static unsigned end_offset(CXCursor c) {
    unsigned offset = 0;
    clang_getExpansionLocation(clang_getRangeEnd(clang_getCursorExtent(c)), NULL, NULL, NULL,
                               &offset);
    return offset;
}

static char *take_string(CXString s) {
    char *copy = hm_xstrdup(clang_getCString(s) ? clang_getCString(s) : "");
    clang_disposeString(s);
    return copy;
}

static enum CXChildVisitResult first_child_visitor(CXCursor c, CXCursor parent, CXClientData d) {
    *(CXCursor *)d = c;
    return CXChildVisit_Break;
}

static CXCursor first_child(CXCursor c) {
    CXCursor child = clang_getNullCursor();
    clang_visitChildren(c, first_child_visitor, &child);
    return child;
}

static bool is_function_kind(enum CXCursorKind k) {
    return k == CXCursor_FunctionDecl || k == CXCursor_CXXMethod || k == CXCursor_Constructor ||
           k == CXCursor_Destructor || k == CXCursor_ConversionFunction ||
           k == CXCursor_FunctionTemplate;
}

static bool is_record_kind(enum CXCursorKind k) {
    return k == CXCursor_ClassDecl || k == CXCursor_StructDecl || k == CXCursor_UnionDecl ||
           k == CXCursor_ClassTemplate || k == CXCursor_ClassTemplatePartialSpecialization;
}

/* ---- Names ----------------------------------------------------------------------------------- */

/* Where clang reported an error: a function whose definition contains one is not recorded. */
typedef struct error_site {
    CXFile file;
    unsigned offset;
} error_site;

typedef struct tu_ctx {
    CXTranslationUnit tu;
    const error_site *errors;
    size_t nerrors;
    const hm_scan_job *job;
    hm_scan_tu_output *out;
    unsigned closures; /* lambdas clang names "$_N", numbered in source order */
} tu_ctx;

static enum CXChildVisitResult template_param_visitor(CXCursor c, CXCursor p, CXClientData d) {
    hm_strbuf *buf = d;
    enum CXCursorKind k = clang_getCursorKind(c);
    if (k == CXCursor_TemplateTypeParameter || k == CXCursor_NonTypeTemplateParameter ||
        k == CXCursor_TemplateTemplateParameter) {
        if (buf->len > 0 && buf->data[buf->len - 1] != '<')
            hm_strbuf_add(buf, ", ");
        char *name = take_string(clang_getCursorSpelling(c));
        hm_strbuf_add(buf, name[0] ? name : "?");
        free(name);
    }
    return CXChildVisit_Continue;
}

/* "<T, U>" of a template into `name`, "<*>" into `pattern`. */
static void add_template_params(CXCursor c, hm_strbuf *name, hm_strbuf *pattern) {
    if (name->len > 0 && name->data[name->len - 1] == '<') {
        /* The demangler writes "operator<< <int>", never "<<<": so do the name and pattern. */
        hm_strbuf_addc(name, ' ');
        hm_strbuf_addc(pattern, ' ');
    }
    hm_strbuf_addc(name, '<');
    clang_visitChildren(c, template_param_visitor, name);
    hm_strbuf_addc(name, '>');
    hm_strbuf_add(pattern, "<*>");
}

/* The enclosing scopes of a dependent declaration, each followed by "::". */
static void add_scope(CXCursor c, hm_strbuf *name, hm_strbuf *pattern) {
    enum CXCursorKind k = clang_getCursorKind(c);
    if (clang_Cursor_isNull(c) || k == CXCursor_TranslationUnit || clang_isInvalid(k))
        return;
    add_scope(clang_getCursorSemanticParent(c), name, pattern);
    char *spelling = take_string(clang_getCursorSpelling(c));
    if (k == CXCursor_Namespace) {
        const char *part = spelling[0] ? spelling : "(anonymous namespace)";
        hm_strbuf_add(name, part);
        hm_scan_glob_escape_into(pattern, part);
    } else if (k == CXCursor_ClassTemplate) {
        hm_strbuf_add(name, spelling);
        hm_scan_glob_escape_into(pattern, spelling);
        add_template_params(c, name, pattern);
    } else if (k == CXCursor_ClassTemplatePartialSpecialization) {
        char *display = take_string(clang_getCursorDisplayName(c));
        hm_strbuf_add(name, display);
        hm_scan_glob_escape_into(pattern, spelling);
        hm_strbuf_add(pattern, "<*>");
        free(display);
    } else if (is_record_kind(k)) {
        char *display = take_string(clang_getCursorDisplayName(c));
        const char *part = display[0] ? display : "(anonymous)";
        hm_strbuf_add(name, part);
        hm_scan_glob_escape_into(pattern, part);
        free(display);
    } else if (is_function_kind(k)) {
        /* A local class or lambda inside a dependent function: "f<T>(...)" / "f<*>(*)*". */
        hm_strbuf_add(name, spelling);
        hm_scan_glob_escape_into(pattern, spelling);
        if (k == CXCursor_FunctionTemplate)
            add_template_params(c, name, pattern);
        hm_strbuf_add(name, "(...)");
        hm_strbuf_add(pattern, "(*)*");
    } else {
        free(spelling);
        return; /* linkage specifications and the like add nothing */
    }
    free(spelling);
    hm_strbuf_add(name, "::");
    hm_strbuf_add(pattern, "::");
}

/* Renumber "$_N" closure names in source order and match any number in the pattern. */
static void set_closure_names(tu_ctx *ctx, char *name, hm_strbuf *display, hm_strbuf *pattern) {
    const char *last = NULL;
    for (const char *p = strstr(name, "$_"); p != NULL; p = strstr(p + 2, "$_"))
        last = p;
    for (const char *p = name; *p;) {
        if (p[0] == '$' && p[1] == '_' && p[2] >= '0' && p[2] <= '9') {
            const char *digits = p + 2;
            const char *end = digits + strspn(digits, "0123456789");
            if (p == last)
                hm_strbuf_addf(display, "$_%u", ctx->closures++);
            else
                hm_strbuf_addn(display, p, (size_t)(end - p));
            hm_strbuf_add(pattern, "$_*");
            p = end;
        } else {
            hm_strbuf_addc(display, *p);
            char one[2] = {*p, '\0'};
            hm_scan_glob_escape_into(pattern, one);
            p++;
        }
    }
}

/* Name and pattern of the function at cursor `c` (for a lambda, its call operator). Returns false
 * when it has neither a mangled name nor a spelling. */
static bool function_names(tu_ctx *ctx, CXCursor c, hm_scan_function *fn) {
    char *mangled = take_string(clang_Cursor_getMangling(c));
    char *name = hm_scan_function_name(mangled);
    free(mangled);
    if (name != NULL) {
        hm_strbuf display = {0}, pattern = {0};
        set_closure_names(ctx, name, &display, &pattern);
        free(name);
        fn->name = hm_strbuf_take(&display);
        fn->pattern = hm_strbuf_take(&pattern);
        return true;
    }
    /* No mangled name: a template, or something inside one. Build it from the AST. */
    hm_strbuf nb = {0}, pb = {0};
    add_scope(clang_getCursorSemanticParent(c), &nb, &pb);
    char *spelling = take_string(clang_getCursorSpelling(c));
    if (spelling[0] == '\0') {
        free(spelling);
        hm_strbuf_free(&nb);
        hm_strbuf_free(&pb);
        return false;
    }
    hm_strbuf_add(&nb, spelling);
    hm_scan_glob_escape_into(&pb, spelling);
    free(spelling);
    if (clang_getCursorKind(c) == CXCursor_FunctionTemplate)
        add_template_params(c, &nb, &pb);
    fn->name = hm_strbuf_take(&nb);
    fn->pattern = hm_strbuf_take(&pb);
    fn->is_template = true;
    return true;
}

/* ---- Body walk ------------------------------------------------------------------------------- */

typedef struct body_ctx {
    tu_ctx *tu;
    hm_scan_function fn; /* metrics accumulate here; appended to the output at the end */
    token_list toks;
    size_t callees_cap;
    unsigned lambdas; /* lambdas seen directly in this body, for dependent lambda names */
    bool has_return;
} body_ctx;

typedef struct walk_arg {
    body_ctx *body;
    enum CXCursorKind parent;
    unsigned header_end; /* control statements: offset of the header's last token, 0 = unknown */
    CXCursor do_body;    /* do statements: the body (the other child is the condition) */
} walk_arg;

static void visit_decls(tu_ctx *ctx, CXCursor c);
static void record_function(tu_ctx *ctx, CXCursor c, CXCursor body_owner, const body_ctx *outer);

/* Offset of the first token `stop` from token i on outside the parentheses opened since i (a
 * ')' that closes them all counts as outside), or 0 if there is none. */
static unsigned balanced_find(const token_list *toks, size_t i, char stop) {
    int depth = 0;
    for (; i < toks->count; i++) {
        char code = toks->items[i].code;
        depth += code == '(' ? 1 : code == ')' ? -1 : 0;
        if (code == stop && depth == 0)
            return toks->items[i].offset;
    }
    return 0;
}

/* Offset of the ')' closing the first '(' after `start`, or of the first ':' for case labels. */
static unsigned header_end(const token_list *toks, unsigned start, enum CXCursorKind k) {
    size_t i = token_at(toks, start);
    if (k == CXCursor_CaseStmt)
        return balanced_find(toks, i, ':');
    while (i < toks->count && toks->items[i].code != '(')
        i++;
    return balanced_find(toks, i, ')');
}

/* Whether a child starting at `offset` of a statement of kind arg->parent is in a statement
 * position (a body or a branch) rather than in the parent's header. */
static bool in_statement_position(const walk_arg *arg, CXCursor c, unsigned offset) {
    switch (arg->parent) {
    case CXCursor_CompoundStmt:
    case CXCursor_DefaultStmt:
    case CXCursor_LabelStmt:
        return true;
    case CXCursor_IfStmt:
    case CXCursor_WhileStmt:
    case CXCursor_ForStmt:
    case CXCursor_CXXForRangeStmt:
    case CXCursor_SwitchStmt:
    case CXCursor_CaseStmt:
        return arg->header_end == 0 || offset > arg->header_end;
    case CXCursor_DoStmt:
        return clang_equalCursors(c, arg->do_body);
    default:
        return false;
    }
}

static bool is_literal_kind(enum CXCursorKind k) {
    return k == CXCursor_IntegerLiteral || k == CXCursor_FloatingLiteral ||
           k == CXCursor_ImaginaryLiteral || k == CXCursor_StringLiteral ||
           k == CXCursor_CharacterLiteral || k == CXCursor_CXXBoolLiteralExpr ||
           k == CXCursor_CXXNullPtrLiteralExpr;
}

/* Rough -O0 instruction count of one node itself (its children count separately). */
static unsigned ir_weight(CXCursor c, enum CXCursorKind k) {
    if (is_literal_kind(k))
        return 0;
    switch (k) {
    case CXCursor_CompoundStmt:
    case CXCursor_NullStmt:
    case CXCursor_DeclStmt:
    case CXCursor_LabelStmt:
    case CXCursor_DeclRefExpr:
    case CXCursor_ParenExpr:
    case CXCursor_InitListExpr:
    case CXCursor_TypeRef:
    case CXCursor_TemplateRef:
    case CXCursor_NamespaceRef:
    case CXCursor_OverloadedDeclRef:
    case CXCursor_VariableRef:
        return 0;
    case CXCursor_MemberRef: /* a constructor's member initializer: address and store */
        return 2;
    case CXCursor_MemberRefExpr: /* address; plus the load of `this` when it is implicit */
        return clang_Cursor_isNull(first_child(c)) ? 2 : 1;
    case CXCursor_VarDecl:
        if (clang_Cursor_getStorageClass(c) == CX_SC_Static)
            return 0;
        return clang_Cursor_isNull(first_child(c)) ? 1 : 2;
    case CXCursor_IfStmt:
    case CXCursor_ArraySubscriptExpr:
    case CXCursor_UnaryOperator:
        return 2;
    case CXCursor_CompoundAssignOperator:
        return 3;
    case CXCursor_ConditionalOperator:
        return 4;
    default:
        return 1;
    }
}

static enum CXChildVisitResult count_visitor(CXCursor c, CXCursor parent, CXClientData d) {
    ++*(unsigned *)d;
    return CXChildVisit_Continue;
}

static unsigned count_children(CXCursor c) {
    unsigned n = 0;
    clang_visitChildren(c, count_visitor, &n);
    return n;
}

static bool refers_to_variable(CXCursor c) {
    enum CXCursorKind k = clang_getCursorKind(clang_getCursorReferenced(c));
    return k == CXCursor_VarDecl || k == CXCursor_ParmDecl;
}

static enum CXChildVisitResult last_child_visitor(CXCursor c, CXCursor parent, CXClientData d) {
    *(CXCursor *)d = c;
    return CXChildVisit_Continue;
}

/* Whether do statement `c` has a condition that is a constant zero ("while (0)", "while (false)"):
 * clang emits no branch back for it, so the plugin sees no loop. */
static bool is_do_while_false(CXCursor c) {
    CXCursor cond = clang_getNullCursor();
    clang_visitChildren(c, last_child_visitor, &cond);
    if (clang_Cursor_isNull(cond) || !clang_isExpression(clang_getCursorKind(cond)))
        return false;
    CXEvalResult value = clang_Cursor_Evaluate(cond);
    if (value == NULL)
        return false;
    bool zero =
        clang_EvalResult_getKind(value) == CXEval_Int && clang_EvalResult_getAsLongLong(value) == 0;
    clang_EvalResult_dispose(value);
    return zero;
}

static void add_callee(body_ctx *b, CXCursor ref) {
    hm_grow((void **)&b->fn.callees, &b->callees_cap, b->fn.ncallees + 1, sizeof *b->fn.callees);
    struct hm_scan_callee *callee = &b->fn.callees[b->fn.ncallees++];
    memset(callee, 0, sizeof *callee);
    callee->usr = take_string(clang_getCursorUSR(ref));
    CXCursor tmpl = clang_getSpecializedCursorTemplate(ref);
    if (!clang_Cursor_isNull(tmpl)) {
        callee->template_usr = take_string(clang_getCursorUSR(tmpl));
        char *mangled = take_string(clang_Cursor_getMangling(ref));
        callee->instance = hm_scan_function_name(mangled);
        free(mangled);
    }
}

/* A call expression: counts unless it compiles to no call (builtins, POD constructors). */
static void count_call(body_ctx *b, CXCursor c) {
    CXCursor ref = clang_getCursorReferenced(c);
    enum CXCursorKind rk = clang_getCursorKind(ref);
    if (clang_Cursor_isNull(ref) || clang_isInvalid(rk)) {
        b->fn.calls++; /* through a pointer or not resolved (dependent) */
        return;
    }
    if (rk == CXCursor_Constructor && clang_isPODType(clang_getCursorType(c)))
        return;
    if (is_function_kind(rk)) {
        char *spelling = take_string(clang_getCursorSpelling(ref));
        bool builtin = strncmp(spelling, "__builtin_", 10) == 0;
        free(spelling);
        if (builtin)
            return;
        b->fn.calls++;
        add_callee(b, ref);
        return;
    }
    b->fn.calls++; /* a function pointer variable, a member pointer... */
}

/* Whether binary operator `c` is && or ||: the token right after its left operand. */
static bool is_logical_operator(const body_ctx *b, CXCursor c) {
    CXCursor lhs = first_child(c);
    if (clang_Cursor_isNull(lhs))
        return false;
    size_t i = token_at(&b->toks, end_offset(lhs));
    if (i >= b->toks.count)
        return false;
    char code = b->toks.items[i].code;
    return code == '&' || code == '|';
}

/* Whether the unary operator starting at `offset` is a prefix * or &. */
static bool is_address_operator(const body_ctx *b, unsigned offset) {
    size_t i = token_at(&b->toks, offset);
    return i < b->toks.count && b->toks.items[i].offset == offset &&
           (b->toks.items[i].code == '*' || b->toks.items[i].code == 'a');
}

static enum CXChildVisitResult walk(CXCursor c, CXCursor parent, CXClientData data) {
    walk_arg *arg = data;
    body_ctx *b = arg->body;
    enum CXCursorKind k = clang_getCursorKind(c);

    if (k == CXCursor_LambdaExpr) {
        b->lambdas++;
        record_function(b->tu, c, c, b);
        return CXChildVisit_Continue;
    }
    if (is_record_kind(k)) {
        visit_decls(b->tu, c); /* a local class: its methods are functions of their own */
        return CXChildVisit_Continue;
    }
    if (k == CXCursor_StaticAssert)
        return CXChildVisit_Continue; /* compiled away: no statement, no code */

    unsigned offset = start_offset(c);
    if (clang_isStatement(k)) {
        if (k != CXCursor_CompoundStmt && k != CXCursor_NullStmt &&
            in_statement_position(arg, c, offset))
            b->fn.statements++;
    } else if (clang_isExpression(k) && in_statement_position(arg, c, offset)) {
        b->fn.statements++;
    }
    b->fn.ir_estimate += ir_weight(c, k);
    if (k == CXCursor_UnaryOperator && is_address_operator(b, offset))
        b->fn.ir_estimate -= ir_weight(c, k); /* *p and &x: an address, no instruction */
    else if (k == CXCursor_InitListExpr)
        b->fn.ir_estimate += 2 * count_children(c); /* an address and a store per element */
    else if (k == CXCursor_DeclRefExpr && b->fn.is_template && refers_to_variable(c))
        b->fn.ir_estimate++; /* the load that dependent code shows no implicit cast for */

    switch (k) {
    case CXCursor_DoStmt:
        if (is_do_while_false(c))
            break; /* the macro idiom do { ... } while (0): no back edge, no decision */
        /* fall through */
    case CXCursor_ForStmt:
    case CXCursor_CXXForRangeStmt:
    case CXCursor_WhileStmt:
        b->fn.loops++;
        b->fn.complexity++;
        break;
    case CXCursor_IfStmt:
    case CXCursor_CaseStmt:
    case CXCursor_ConditionalOperator:
    case CXCursor_CXXCatchStmt:
        b->fn.complexity++;
        break;
    case CXCursor_BinaryOperator:
        if (is_logical_operator(b, c)) {
            b->fn.complexity++;
            b->fn.ir_estimate += 2;
        }
        break;
    case CXCursor_CallExpr:
        count_call(b, c);
        break;
    case CXCursor_CXXNewExpr:
    case CXCursor_CXXDeleteExpr:
    case CXCursor_CXXThrowExpr:       /* __cxa_allocate_exception, __cxa_throw */
    case CXCursor_CXXDynamicCastExpr: /* __dynamic_cast */
        b->fn.calls++;
        break;
    case CXCursor_ReturnStmt:
        b->has_return = true;
        break;
    default:
        break;
    }

    walk_arg child = {b, k, 0, clang_getNullCursor()};
    if (k == CXCursor_IfStmt || k == CXCursor_WhileStmt || k == CXCursor_ForStmt ||
        k == CXCursor_CXXForRangeStmt || k == CXCursor_SwitchStmt || k == CXCursor_CaseStmt)
        child.header_end = header_end(&b->toks, offset, k);
    else if (k == CXCursor_DoStmt)
        child.do_body = first_child(c);
    if (k != CXCursor_UnaryExpr) /* sizeof, alignof: the operand is not evaluated */
        clang_visitChildren(c, walk, &child);
    return CXChildVisit_Continue;
}

/* Children of a function or lambda cursor: parameters, constructor initializers, the body. */
static enum CXChildVisitResult function_child(CXCursor c, CXCursor parent, CXClientData data) {
    walk_arg *arg = data;
    body_ctx *b = arg->body;
    enum CXCursorKind k = clang_getCursorKind(c);
    if (k == CXCursor_ParmDecl) {
        b->fn.ir_estimate += 2; /* alloca and store at -O0 */
    } else if (k == CXCursor_MemberRef) {
        b->fn.ir_estimate += ir_weight(c, k);
        if (k == CXCursor_InitListExpr)
            b->fn.ir_estimate += 2 * count_children(c); /* an address and a store per element */
        else if (k == CXCursor_DeclRefExpr && b->fn.is_template && refers_to_variable(c))
            b->fn.ir_estimate++; /* the load that dependent code shows no implicit cast for */
    } else if (k == CXCursor_CompoundStmt || k == CXCursor_CXXTryStmt || clang_isExpression(k)) {
        walk(c, parent, arg);
    }
    return CXChildVisit_Continue;
}

static enum CXChildVisitResult find_body(CXCursor c, CXCursor parent, CXClientData data) {
    enum CXCursorKind k = clang_getCursorKind(c);
    if (k == CXCursor_CompoundStmt || k == CXCursor_CXXTryStmt) {
        *(bool *)data = true;
        return CXChildVisit_Break;
    }
    return CXChildVisit_Continue;
}

static bool has_body(CXCursor c) {
    bool found = false;
    clang_visitChildren(c, find_body, &found);
    return found;
}

static enum CXChildVisitResult find_call_operator(CXCursor c, CXCursor p, CXClientData data) {
    enum CXCursorKind k = clang_getCursorKind(c);
    if (k == CXCursor_CXXMethod || k == CXCursor_FunctionTemplate) {
        CXString s = clang_getCursorSpelling(c);
        bool match = strcmp(clang_getCString(s), "operator()") == 0;
        clang_disposeString(s);
        if (match) {
            *(CXCursor *)data = c;
            return CXChildVisit_Break;
        }
    }
    return CXChildVisit_Continue;
}

/* The call operator of lambda expression `c` (null cursor when libclang does not expose it). */
static CXCursor lambda_call_operator(CXCursor c) {
    CXCursor op = clang_getNullCursor();
    CXCursor closure = clang_getTypeDeclaration(clang_getCursorType(c));
    if (!clang_Cursor_isNull(closure))
        clang_visitChildren(closure, find_call_operator, &op);
    return op;
}

static enum CXChildVisitResult find_virtual(CXCursor c, CXCursor parent, CXClientData data) {
    enum CXCursorKind k = clang_getCursorKind(c);
    if ((k == CXCursor_CXXMethod || k == CXCursor_Destructor) && clang_CXXMethod_isVirtual(c)) {
        *(bool *)data = true;
        return CXChildVisit_Break;
    }
    return CXChildVisit_Continue;
}

static enum CXChildVisitResult find_nonpod_member(CXCursor c, CXCursor parent, CXClientData d) {
    enum CXCursorKind k = clang_getCursorKind(c);
    if (k != CXCursor_CXXBaseSpecifier && k != CXCursor_FieldDecl)
        return CXChildVisit_Continue;
    CXType t = clang_getCanonicalType(clang_getCursorType(c));
    if (k == CXCursor_CXXBaseSpecifier && t.kind != CXType_Record) {
        *(bool *)d = true; /* a dependent base: assume it has a constructor to call */
        return CXChildVisit_Break;
    }
    while (t.kind == CXType_ConstantArray)
        t = clang_getCanonicalType(clang_getArrayElementType(t));
    if (t.kind == CXType_Record && !clang_isPODType(t)) {
        *(bool *)d = true;
        return CXChildVisit_Break;
    }
    return CXChildVisit_Continue;
}

/* Whether constructor or destructor `c` makes calls its source does not spell: it constructs or
 * destroys a base or member of a non-POD class (or a base that depends on a template parameter),
 * or it is a virtual destructor (where the vtable is emitted, clang also emits the deleting
 * variant, which calls operator delete, under the same name). */
static bool has_implicit_calls(CXCursor c) {
    if (clang_getCursorKind(c) == CXCursor_Destructor && clang_CXXMethod_isVirtual(c))
        return true;
    bool found = false;
    clang_visitChildren(clang_getCursorSemanticParent(c), find_nonpod_member, &found);
    return found;
}

/* Whether constructor or destructor `c` belongs to a class with virtual methods (declared in
 * the class itself): it then also stores the vtable pointer. */
static bool in_dynamic_class(CXCursor c) {
    bool found = false;
    clang_visitChildren(clang_getCursorSemanticParent(c), find_virtual, &found);
    return found;
}

/* Name a lambda that has no mangled name (it lives in a template): after its enclosing function. */
static void dependent_lambda_names(body_ctx *b, const body_ctx *outer) {
    free(b->fn.name);
    free(b->fn.pattern);
    b->fn.name = hm_xasprintf("%s(...)::{lambda#%u}::operator()", outer->fn.name, outer->lambdas);
    b->fn.pattern = hm_xasprintf("%s(*)*::{lambda(*)#*}::operator()", outer->fn.pattern);
    b->fn.is_template = true;
}

/* Whether clang reported an error inside `range` (a definition's extent). */
static bool contains_error(const tu_ctx *ctx, CXSourceRange range) {
    CXFile file = NULL;
    unsigned from = 0, to = 0;
    clang_getExpansionLocation(clang_getRangeStart(range), &file, NULL, NULL, &from);
    clang_getExpansionLocation(clang_getRangeEnd(range), NULL, NULL, NULL, &to);
    for (size_t i = 0; i < ctx->nerrors; i++)
        if (ctx->errors[i].offset >= from && ctx->errors[i].offset <= to &&
            clang_File_isEqual(ctx->errors[i].file, file))
            return true;
    return false;
}

/* Record the function (or lambda, when `outer` is its enclosing body) at cursor `c`, whose
 * parameters and body are the children of `body_owner`. */
static void record_function(tu_ctx *ctx, CXCursor c, CXCursor body_owner, const body_ctx *outer) {
    CXSourceLocation loc = clang_getCursorLocation(c);
    if (clang_Location_isInSystemHeader(loc))
        return;
    CXFile file = NULL;
    unsigned line = 0;
    clang_getExpansionLocation(loc, &file, &line, NULL, NULL);
    if (file == NULL || clang_isInvalidDeclaration(c))
        return;
    body_ctx b = {.tu = ctx};
    CXCursor named = c;
    bool is_lambda = outer != NULL;
    if (is_lambda) {
        named = lambda_call_operator(c);
        if (clang_Cursor_isNull(named))
            return;
    }
    if (!function_names(ctx, named, &b.fn))
        return;
    if (is_lambda && b.fn.is_template)
        dependent_lambda_names(&b, outer);
    char *file_name = take_string(clang_getFileName(file));
    b.fn.file = hm_scan_path_absolute(file_name, ctx->job->directory);
    free(file_name);
    b.fn.usr = take_string(clang_getCursorUSR(named));
    b.fn.line = line;
    b.fn.complexity = 1;
    CXSourceRange range = expansion_range(ctx->tu, c);
    if (contains_error(ctx, range)) {
        hm_scan_function_free(&b.fn);
        return;
    }
    b.toks = tokenize(ctx->tu, range);
    b.fn.loc = count_lines(&b.toks);

    enum CXCursorKind k = clang_getCursorKind(named);
    bool has_this = is_lambda || k == CXCursor_Constructor || k == CXCursor_Destructor ||
                    k == CXCursor_ConversionFunction ||
                    (k == CXCursor_CXXMethod && !clang_CXXMethod_isStatic(named));
    b.fn.ir_estimate = has_this ? 2 : 0;
    if (k == CXCursor_Constructor || k == CXCursor_Destructor) {
        if (in_dynamic_class(named))
            b.fn.ir_estimate += 3; /* the vtable pointer's address and store */
        b.fn.implicit_calls = has_implicit_calls(named);
    }
    walk_arg arg = {&b, clang_getCursorKind(body_owner), 0, clang_getNullCursor()};
    clang_visitChildren(body_owner, function_child, &arg);
    if (!b.has_return)
        b.fn.ir_estimate++; /* the implicit `ret void` */
    free(b.toks.items);

    hm_scan_tu_output *out = ctx->out;
    hm_grow((void **)&out->functions, &out->cap, out->count + 1, sizeof *out->functions);
    out->functions[out->count++] = b.fn;
}

/* ---- Declaration walk ------------------------------------------------------------------------ */

static enum CXChildVisitResult decl_visitor(CXCursor c, CXCursor parent, CXClientData data) {
    tu_ctx *ctx = data;
    enum CXCursorKind k = clang_getCursorKind(c);
    if (clang_Location_isInSystemHeader(clang_getCursorLocation(c)))
        return CXChildVisit_Continue;
    if (k == CXCursor_Namespace || k == CXCursor_LinkageSpec || k == CXCursor_UnexposedDecl ||
        k == CXCursor_FriendDecl || is_record_kind(k))
        return CXChildVisit_Recurse;
    if (is_function_kind(k) && clang_isCursorDefinition(c) && has_body(c))
        record_function(ctx, c, c, NULL);
    return CXChildVisit_Continue;
}

static void visit_decls(tu_ctx *ctx, CXCursor c) {
    clang_visitChildren(c, decl_visitor, ctx);
}

/* ---- Parsing --------------------------------------------------------------------------------- */

/* Flags that make clang write files or that only concern other outputs. */
static int dropped_flag(const char *arg) {
    static const char *const with_value[] = {"-o", "-MF", "-MT", "-MQ", "-MJ", NULL};
    static const char *const alone[] = {"-M", "-MM", "-MD", "-MMD", "-MP", "-MG", NULL};
    for (int i = 0; with_value[i]; i++)
        if (strcmp(arg, with_value[i]) == 0)
            return 2;
    for (int i = 0; alone[i]; i++)
        if (strcmp(arg, alone[i]) == 0)
            return 1;
    if ((strncmp(arg, "-MF", 3) == 0 || strncmp(arg, "-MT", 3) == 0 ||
         strncmp(arg, "-MQ", 3) == 0 || strncmp(arg, "-MJ", 3) == 0) ||
        (strncmp(arg, "-o", 2) == 0 && arg[2] != '\0'))
        return 1;
    return 0;
}

/* Flags whose value (joined, "-Iinc", or the next argument, "-I inc") is a path. */
static const char *const path_flags[] = {
    "-I",           "-isystem",           "-iquote",       "-idirafter",
    "-include",     "-imacros",           "-isysroot",     "--sysroot",
    "-F",           "-iframework",        "-cxx-isystem",  "-include-pch",
    "-ivfsoverlay", "-fmodule-map-file=", "-iwithsysroot", NULL};

/* Flags whose value is the next argument (not a path): it is passed through untouched. */
static const char *const value_flags[] = {
    "-x",       "-target",     "-arch", "-Xclang", "-mllvm",      "-Xpreprocessor",  "-D", "-U",
    "-Xlinker", "-Xassembler", "-l",    "-L",      "-aux-target", "-main-file-name", NULL};

static bool in_list(const char *arg, const char *const *list) {
    for (int i = 0; list[i] != NULL; i++)
        if (strcmp(arg, list[i]) == 0)
            return true;
    return false;
}

/* `path` made absolute against the job's directory when it is relative; owned by *owned. */
static const char *absolute_in(const hm_scan_job *job, const char *prefix, const char *path,
                               char ***owned, size_t *nowned) {
    if (path[0] == '/' || path[0] == '\0')
        return NULL;
    char *abs = hm_scan_path_absolute(path, job->directory);
    char *arg = hm_xasprintf("%s%s", prefix, abs);
    free(abs);
    *owned = hm_xrealloc(*owned, (*nowned + 1) * sizeof **owned);
    (*owned)[(*nowned)++] = arg;
    return arg;
}

static bool is_regular_file_in(const hm_scan_job *job, const char *path) {
    char *abs = hm_scan_path_absolute(path, job->directory);
    struct stat st;
    bool found = stat(abs, &st) == 0 && S_ISREG(st.st_mode);
    free(abs);
    return found;
}

/* The job's command line for libclang, NULL-terminated: output and dependency-file flags dropped,
 * warnings off (only errors matter), and every relative path (the source file, include
 * directories, forced includes, the sysroot) made absolute against the job's directory.
 *
 * Why not -working-directory: libclang applies it to the real file system, which in LLVM 14 means
 * chdir() for the whole process; with several workers parsing at once, each would move the others'
 * working directory (and --write's relative output path). Strings the array points to that were
 * made here are added to *owned for the caller to free. */
static const char **parse_arguments(const hm_scan_job *job, char ***owned, size_t *nowned) {
    const char **argv = hm_xcalloc(job->argc + 3, sizeof *argv);
    size_t argc = 0;
    argv[argc++] = job->argc > 0 ? job->argv[0] : "clang";
    for (size_t i = 1; i < job->argc;) {
        const char *arg = job->argv[i];
        int drop = dropped_flag(arg);
        if (drop) {
            i += (size_t)drop;
            continue;
        }
        const char *made = NULL;
        if (in_list(arg, path_flags) && i + 1 < job->argc) {
            argv[argc++] = arg;
            arg = job->argv[++i];
            made = absolute_in(job, "", arg, owned, nowned);
        } else if (in_list(arg, value_flags) && i + 1 < job->argc) {
            argv[argc++] = arg;
            arg = job->argv[++i];
        } else if (arg[0] == '-') {
            for (int f = 0; path_flags[f] != NULL; f++) {
                size_t n = strlen(path_flags[f]);
                if (strncmp(arg, path_flags[f], n) == 0 && arg[n] != '\0') {
                    /* "-Iinc", "--sysroot=dir", "-fmodule-map-file=m" */
                    size_t skip = n + (arg[n] == '=' && path_flags[f][n - 1] != '=');
                    char prefix[64];
                    snprintf(prefix, sizeof prefix, "%.*s", (int)skip, arg);
                    made = absolute_in(job, prefix, arg + skip, owned, nowned);
                    break;
                }
            }
        } else if (is_regular_file_in(job, arg)) {
            made = absolute_in(job, "", arg, owned, nowned); /* an input file */
        }
        argv[argc++] = made != NULL ? made : arg;
        i++;
    }
    argv[argc++] = "-w";
    argv[argc] = NULL;
    return argv;
}

/* Print clang's errors into out->diagnostics and note where they are. Returns the error sites
 * (malloc'd, *count of them).
 *
 * An error with no place in the source is about the command line. "unknown argument" (a flag of
 * another compiler, usually GCC's, in a database written for it) does not stop the parse and does
 * not fail the file: the flag goes to out->unknown_flags, and the run reports each flag once.
 * Any other is printed with the job's file in front, since clang gives no place. */
static error_site *collect_diagnostics(CXTranslationUnit tu, const hm_scan_job *job,
                                       hm_scan_tu_output *out, size_t *count) {
    static const char unknown[] = "unknown argument: ";
    unsigned n = clang_getNumDiagnostics(tu);
    error_site *sites = hm_xcalloc(n, sizeof *sites);
    *count = 0;
    for (unsigned i = 0; i < n; i++) {
        CXDiagnostic d = clang_getDiagnostic(tu, i);
        error_site *site = &sites[*count];
        clang_getExpansionLocation(clang_getDiagnosticLocation(d), &site->file, NULL, NULL,
                                   &site->offset);
        if (clang_getDiagnosticSeverity(d) < CXDiagnostic_Error) {
            clang_disposeDiagnostic(d);
            continue;
        }
        CXString spelling = clang_getDiagnosticSpelling(d);
        const char *message = clang_getCString(spelling);
        if (site->file == NULL && strncmp(message, unknown, sizeof unknown - 1) == 0) {
            hm_strbuf_add(&out->unknown_flags, message + sizeof unknown - 1);
            hm_strbuf_addc(&out->unknown_flags, '\n');
        } else if (site->file == NULL) {
            out->failed = true;
            hm_strbuf_addf(&out->diagnostics, "%s: error: %s\n", job->file, message);
        } else {
            out->failed = true;
            CXString text = clang_formatDiagnostic(d, CXDiagnostic_DisplaySourceLocation |
                                                          CXDiagnostic_DisplayColumn);
            hm_strbuf_add(&out->diagnostics, clang_getCString(text));
            hm_strbuf_addc(&out->diagnostics, '\n');
            clang_disposeString(text);
            ++*count;
        }
        clang_disposeString(spelling);
        clang_disposeDiagnostic(d);
    }
    return sites;
}

void hm_scan_parse_job(void *index, const hm_scan_job *job, hm_scan_tu_output *out) {
    /* STEP 1: the command line, made safe for an in-process parse. */
    char **owned = NULL;
    size_t nowned = 0;
    const char **argv = parse_arguments(job, &owned, &nowned);
    size_t argc = 0;
    while (argv[argc] != NULL)
        argc++;

    CXTranslationUnit tu = NULL;
    enum CXErrorCode rc = clang_parseTranslationUnit2FullArgv(
        (CXIndex)index, NULL, argv, (int)argc, NULL, 0, CXTranslationUnit_KeepGoing, &tu);
    free(argv);
    for (size_t i = 0; i < nowned; i++)
        free(owned[i]);
    free(owned);
    if (rc != CXError_Success || tu == NULL) {
        out->failed = true;
        const char *why = rc == CXError_ASTReadError || rc == CXError_InvalidArguments
                              ? "clang rejected the command line (an unknown or conflicting flag?)"
                          : rc == CXError_Crashed ? "libclang crashed while parsing it"
                                                  : "libclang could not parse it";
        hm_strbuf_addf(&out->diagnostics, "%s: error: %s\n", job->file, why);
        return;
    }
    /* STEP 2 and 3: declarations, then each definition's body; after errors, the definitions
     * that hold none are still recorded. */
    tu_ctx ctx = {.tu = tu, .job = job, .out = out};
    ctx.errors = collect_diagnostics(tu, job, out, &ctx.nerrors);
    visit_decls(&ctx, clang_getTranslationUnitCursor(tu));
    free((void *)ctx.errors);
    clang_disposeTranslationUnit(tu);
}
