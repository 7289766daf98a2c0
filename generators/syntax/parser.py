"""Tolerant recursive-descent parser: proto3 plus text-format option literals, never raises."""

from __future__ import annotations

from collections.abc import Callable

from eventapi.generators.syntax import ast
from eventapi.generators.syntax.tokens import Comment, Kind, Span, Token, tokenize, unquote

_LABELS = frozenset({"optional", "repeated", "required"})
_CLOSERS = {"{": "}", "<": ">", "[": "]", "(": ")"}


class _Parser:
    __slots__ = ("comments_by_end", "errors", "inline_leading", "pos", "tokens", "trailing")

    def __init__(self, text: str, first_line: int) -> None:
        lexed = tokenize(text, first_line)
        self.tokens: list[Token] = lexed.tokens
        self.pos = 0
        self.errors: list[ast.ParseError] = [ast.ParseError(s, m) for s, m in lexed.errors]
        self.comments_by_end: dict[int, Comment] = {}
        self.trailing: dict[int, Comment] = {}
        # `/* c */ string x = 1;`: a block comment with code after it on its last line leads
        # that code (as protoc attaches it), not the declaration on the next line.
        self.inline_leading: dict[int, Comment] = {}
        last_col: dict[int, int] = {}
        for t in self.tokens:
            last_col[t.line] = t.col
        for c in lexed.comments:
            if not c.own_line:
                self.trailing[c.line] = c
            elif c.is_block and last_col.get(c.end_line, -1) >= c.end_col:
                self.inline_leading[c.end_line] = c
            else:
                self.comments_by_end[c.end_line] = c

    # -- token helpers -------------------------------------------------------------------------

    def peek(self) -> Token:
        return self.tokens[self.pos]

    def advance(self) -> Token:
        tok = self.tokens[self.pos]
        if tok.kind != Kind.EOF:
            self.pos += 1
        return tok

    def at(self, text: str) -> bool:
        tok = self.tokens[self.pos]
        return tok.text == text and tok.kind in (Kind.SYMBOL, Kind.IDENT)

    def accept(self, text: str) -> Token | None:
        tok = self.tokens[self.pos]
        if tok.text == text and tok.kind in (Kind.SYMBOL, Kind.IDENT):
            self.pos += 1
            return tok
        return None

    def error(self, tok: Token, message: str) -> None:
        if self.errors and self.errors[-1].span == tok.span:
            return  # one report per token is enough
        self.errors.append(ast.ParseError(tok.span, message))

    def expect(self, text: str, what: str = "") -> Token | None:
        tok = self.accept(text)
        if tok is None:
            got = self.peek()
            shown = "end of file" if got.kind == Kind.EOF else repr(got.text)
            self.error(got, f"expected '{text}'{what}, found {shown}")
        return tok

    def prev_span(self) -> Span:
        return self.tokens[self.pos - 1].span if self.pos else self.tokens[0].span

    def skip_balanced(self) -> None:
        """Skip one token; if it opens a bracket, skip to its matching closer."""
        tok = self.advance()
        closer = _CLOSERS.get(tok.text) if tok.kind == Kind.SYMBOL else None
        if closer is None:
            return
        depth = 1
        opener = tok.text
        while depth:
            t = self.advance()
            if t.kind == Kind.EOF:
                return
            if t.kind == Kind.SYMBOL:
                if t.text == opener:
                    depth += 1
                elif t.text == closer:
                    depth -= 1

    def sync(self) -> None:
        """Recover after an error: skip to the end of the statement or before the block's '}'."""
        while True:
            tok = self.peek()
            if tok.kind == Kind.EOF or (tok.kind == Kind.SYMBOL and tok.text == "}"):
                return
            if tok.kind == Kind.SYMBOL and tok.text == ";":
                self.advance()
                return
            self.skip_balanced()
            if tok.kind == Kind.SYMBOL and tok.text == "{":
                return

    # -- comments ------------------------------------------------------------------------------

    def leading_comment(self, line: int) -> str:
        parts: list[str] = []
        inline = self.inline_leading.get(line)
        if inline is not None:
            parts.append(inline.text)
        end = (inline.line if inline is not None else line) - 1
        while end in self.comments_by_end:
            c = self.comments_by_end[end]
            parts.append(c.text)
            end = c.line - 1
        if not parts:
            trailing = self.trailing.get(line)
            return _clean_comment(trailing.text) if trailing else ""
        return "\n".join(_clean_comment(p) for p in reversed(parts)).strip("\n")

    def trailing_comment(self, line: int) -> str:
        c = self.trailing.get(line)
        return _clean_comment(c.text) if c else ""

    # -- names ---------------------------------------------------------------------------------

    def ident(self, what: str) -> Token | None:
        tok = self.peek()
        if tok.kind == Kind.IDENT:
            self.pos += 1
            return tok
        shown = "end of file" if tok.kind == Kind.EOF else repr(tok.text)
        self.error(tok, f"expected {what}, found {shown}")
        return None

    def full_ident(self, what: str, allow_leading_dot: bool = False) -> ast.TypeRef | None:
        start = self.peek()
        parts: list[str] = []
        if allow_leading_dot and self.accept("."):
            parts.append("")
        first = self.ident(what)
        if first is None:
            return None
        parts.append(first.text)
        end = first
        while self.at(".") and self.tokens[self.pos + 1].kind == Kind.IDENT:
            self.pos += 1
            end = self.advance()
            parts.append(end.text)
        return ast.TypeRef(".".join(parts), start.span.to(end.span))

    # -- values --------------------------------------------------------------------------------

    def value(self) -> ast.Value | None:
        tok = self.peek()
        kind = tok.kind
        if kind == Kind.STRING:
            self.pos += 1
            text = unquote(tok.text)
            end = tok
            while self.peek().kind == Kind.STRING:  # adjacent literals concatenate
                end = self.advance()
                text += unquote(end.text)
            return ast.Scalar("string", text, tok.span.to(end.span))
        if kind == Kind.SYMBOL:
            if tok.text in "-+":
                self.pos += 1
                num = self.peek()
                sign = -1 if tok.text == "-" else 1
                if num.kind in (Kind.INT, Kind.FLOAT) or (
                    num.kind == Kind.IDENT and num.text in ("inf", "nan", "infinity")
                ):
                    self.pos += 1
                    scalar = _number(num)
                    val = scalar.value
                    if isinstance(val, (int, float)):
                        return ast.Scalar(scalar.kind, sign * val, tok.span.to(num.span))
                    return ast.Scalar(scalar.kind, f"{tok.text}{val}", tok.span.to(num.span))
                self.error(num, "expected a number after the sign")
                return None
            if tok.text == "[":
                return self.list_value()
            if tok.text in ("{", "<"):
                return self.message_value()
        if kind in (Kind.INT, Kind.FLOAT):
            self.pos += 1
            return _number(tok)
        if kind == Kind.IDENT:
            self.pos += 1
            return ast.Scalar("ident", tok.text, tok.span)
        shown = "end of file" if kind == Kind.EOF else repr(tok.text)
        self.error(tok, f"expected a value, found {shown}")
        return None

    def list_value(self) -> ast.ListValue:
        open_tok = self.advance()
        items: list[ast.Value] = []
        while not self.at("]"):
            if self.peek().kind == Kind.EOF or self.at("}") or self.at(";"):
                self.error(self.peek(), "expected ']' to close the list")
                return ast.ListValue(tuple(items), open_tok.span.to(self.prev_span()))
            item = self.value()
            if item is None:
                self.skip_balanced()
                continue
            items.append(item)
            if not self.accept(",") and not self.at("]"):
                self.error(self.peek(), "expected ',' or ']' in list")
        close = self.advance()
        return ast.ListValue(tuple(items), open_tok.span.to(close.span))

    def message_value(self) -> ast.MessageValue:
        open_tok = self.advance()
        closer = "}" if open_tok.text == "{" else ">"
        entries: list[ast.Entry] = []
        while not self.at(closer):
            tok = self.peek()
            if tok.kind == Kind.EOF or (
                tok.kind == Kind.SYMBOL and tok.text in ";}>" and tok.text != closer
            ):
                self.error(tok, f"expected '{closer}' to close the message literal")
                return ast.MessageValue(tuple(entries), open_tok.span.to(self.prev_span()))
            entry = self.entry()
            if entry is None:
                self.skip_balanced()
                continue
            entries.append(entry)
            if not self.accept(","):
                self.accept(";")
        close = self.advance()
        return ast.MessageValue(tuple(entries), open_tok.span.to(close.span))

    def entry(self) -> ast.Entry | None:
        tok = self.peek()
        is_ext = False
        if tok.kind == Kind.SYMBOL and tok.text == "[":
            self.pos += 1
            ref = self.full_ident("an extension name")
            self.expect("]")
            if ref is None:
                return None
            name, name_span, is_ext = ref.name, tok.span.to(self.prev_span()), True
        elif tok.kind == Kind.IDENT:
            self.pos += 1
            name, name_span = tok.text, tok.span
        else:
            self.error(tok, f"expected a field name, found {tok.text!r}")
            return None
        if self.accept(":") is None and not (self.at("{") or self.at("<")):
            self.error(self.peek(), f"expected ':' after '{name}'")
            if self.peek().kind not in (Kind.STRING, Kind.INT, Kind.FLOAT, Kind.IDENT):
                return None
        val = self.value()
        if val is None:
            return None
        return ast.Entry(name, name_span, val, name_span.to(val.span), is_ext)

    # -- options -------------------------------------------------------------------------------

    def option_name(self) -> tuple[ast.NamePart, ...] | None:
        parts: list[ast.NamePart] = []
        while True:
            tok = self.peek()
            if tok.kind == Kind.SYMBOL and tok.text == "(":
                self.pos += 1
                ref = self.full_ident("an option name", allow_leading_dot=True)
                close = self.expect(")")
                if ref is None:
                    return None
                end = close.span if close else ref.span
                parts.append(ast.NamePart(ref.name.lstrip("."), tok.span.to(end), True))
            else:
                ident = self.ident("an option name")
                if ident is None:
                    return None
                parts.append(ast.NamePart(ident.text, ident.span, False))
            if not self.accept("."):
                return tuple(parts)

    def option_body(self, start: Token) -> ast.Option | None:
        """After `option` (or inside `[...]`): name = value."""
        name = self.option_name()
        if name is None:
            return None
        if self.expect("=") is None:
            return None
        val = self.value()
        if val is None:
            return None
        return ast.Option(name, val, start.span.to(val.span))

    def option_statement(self) -> ast.Option | None:
        start = self.advance()  # 'option'
        opt = self.option_body(start)
        if opt is None:
            self.sync()
            return None
        self.expect(";")
        return opt

    def field_options(self) -> tuple[ast.Option, ...]:
        if not self.accept("["):
            return ()
        opts: list[ast.Option] = []
        while True:
            start = self.peek()
            opt = self.option_body(start)
            if opt is None:
                while not (self.at("]") or self.at(";") or self.peek().kind == Kind.EOF):
                    self.skip_balanced()
            else:
                opts.append(opt)
            if not self.accept(","):
                break
        self.expect("]")
        return tuple(opts)

    def block_body(
        self, options: list[ast.Option] | None, item: Callable[[Token], bool], what: str
    ) -> None:
        """Statements up to the block's '}': options (when collected), ';', and what `item` takes."""
        while True:
            tok = self.peek()
            if tok.kind == Kind.EOF or (tok.kind == Kind.SYMBOL and tok.text == "}"):
                return
            if options is not None and tok.kind == Kind.IDENT and tok.text == "option":
                o = self.option_statement()
                if o:
                    options.append(o)
                continue
            if tok.kind == Kind.SYMBOL and tok.text == ";":
                self.pos += 1
                continue
            if not item(tok):
                self.error(tok, f"unexpected {tok.text!r} {what}")
                self.sync()

    def open_block(self, what: str) -> tuple[Token, Token, str] | None:
        """`keyword Name {`: the keyword, the name and the leading comment, or None (synced)."""
        start = self.advance()
        name = self.ident(what)
        if name is None:
            self.sync()
            return None
        comment = self.leading_comment(start.line)
        if self.expect("{") is None:
            self.sync()
            return None
        return start, name, comment

    # -- declarations --------------------------------------------------------------------------

    def parse_top(self) -> list[ast.Decl]:
        decls: list[ast.Decl] = []
        top: dict[str, Callable[[], ast.Decl | None]] = {
            "message": self.message,
            "enum": self.enum,
            "service": self.service,
            "extend": self.extend,
            "option": self.option_statement,
            "import": self.import_,
            "syntax": self.syntax,
            "edition": self.syntax,
            "package": self.package,
        }
        while True:
            tok = self.peek()
            if tok.kind == Kind.EOF:
                return decls
            text = tok.text
            parse = top.get(text) if tok.kind == Kind.IDENT else None
            if parse is not None:
                decl = parse()
                if decl is not None:
                    decls.append(decl)
                continue
            if tok.kind == Kind.SYMBOL and text == ";":
                self.pos += 1
                continue
            self.error(
                tok, f"unexpected {text!r} at top level: expected message, enum, service, ..."
            )
            if tok.kind == Kind.SYMBOL and text == "}":
                self.pos += 1
            else:
                self.sync()

    def syntax(self) -> ast.Header:
        self.advance()
        self.expect("=")
        tok = self.peek()
        if tok.kind == Kind.STRING:
            self.pos += 1
            self.expect(";")
            value = unquote(tok.text)
            if value not in ("proto3", "proto2", "2023", "2024"):
                self.error(tok, f'unknown syntax {value!r}: expected "proto3"')
            return ast.Header(syntax=value, syntax_span=tok.span)
        self.error(tok, 'expected a string such as "proto3"')
        self.sync()
        return ast.Header()

    def package(self) -> ast.Header:
        self.advance()
        ref = self.full_ident("a package name")
        if ref is None:
            self.sync()
            return ast.Header()
        self.expect(";")
        return ast.Header(package=ref.name, package_span=ref.span)

    def import_(self) -> ast.Import | None:
        self.advance()
        kind = ""
        if self.at("public") or self.at("weak"):
            kind = self.advance().text
        tok = self.peek()
        if tok.kind != Kind.STRING:
            self.error(tok, "expected the imported file as a string")
            self.sync()
            return None
        self.pos += 1
        self.expect(";")
        return ast.Import(unquote(tok.text), tok.span, kind)

    def message(self) -> ast.Message | None:
        opened = self.open_block("a message name")
        if opened is None:
            return None
        start, name, comment = opened
        fields: list[ast.Field] = []
        messages: list[ast.Message] = []
        enums: list[ast.Enum] = []
        extends: list[ast.Extend] = []
        options: list[ast.Option] = []
        oneofs: list[str] = []
        self.message_body(fields, messages, enums, extends, options, oneofs, "")
        end = self.expect("}", f" to close message {name.text}")
        end_span = end.span if end else self.prev_span()
        return ast.Message(
            name.text,
            name.span,
            tuple(fields),
            tuple(messages),
            tuple(enums),
            tuple(extends),
            tuple(options),
            tuple(oneofs),
            comment,
            start.span.to(end_span),
        )

    def message_body(
        self,
        fields: list[ast.Field],
        messages: list[ast.Message],
        enums: list[ast.Enum],
        extends: list[ast.Extend],
        options: list[ast.Option],
        oneofs: list[str],
        oneof: str,
    ) -> None:
        while True:
            tok = self.peek()
            if tok.kind == Kind.EOF or (tok.kind == Kind.SYMBOL and tok.text == "}"):
                return
            text = tok.text
            if tok.kind == Kind.IDENT:
                nxt = self.tokens[self.pos + 1]
                is_decl = nxt.kind == Kind.IDENT
                if text == "message" and is_decl and not oneof:
                    m = self.message()
                    if m:
                        messages.append(m)
                    continue
                if text == "enum" and is_decl and not oneof:
                    e = self.enum()
                    if e:
                        enums.append(e)
                    continue
                if text == "extend" and is_decl and not oneof:
                    x = self.extend()
                    if x:
                        extends.append(x)
                    continue
                if text == "option" and (nxt.kind == Kind.IDENT or nxt.text == "("):
                    o = self.option_statement()
                    if o:
                        options.append(o)
                    continue
                if text == "oneof" and is_decl and not oneof:
                    self.pos += 1
                    name = self.advance()
                    if self.expect("{") is None:
                        self.sync()
                        continue
                    oneofs.append(name.text)
                    self.message_body(fields, messages, enums, extends, options, oneofs, name.text)
                    self.expect("}", f" to close oneof {name.text}")
                    continue
                if text in ("reserved", "extensions") and nxt.kind != Kind.SYMBOL:
                    self.sync()
                    continue
                f = self.field(oneof)
                if f:
                    fields.append(f)
                continue
            if tok.kind == Kind.SYMBOL and text == ";":
                self.pos += 1
                continue
            if tok.kind == Kind.SYMBOL and text == ".":  # `.pkg.Type name = 1;`
                f = self.field(oneof)
                if f:
                    fields.append(f)
                continue
            self.error(tok, f"unexpected {text!r}: expected a field, message, enum or option")
            self.sync()

    def field(self, oneof: str) -> ast.Field | None:
        start = self.peek()
        label = ""
        if start.text in _LABELS and self.tokens[self.pos + 1].kind == Kind.IDENT:
            label = self.advance().text
        map_key: ast.TypeRef | None = None
        if self.at("map") and self.tokens[self.pos + 1].text == "<":
            self.pos += 2
            map_key = self.full_ident("a map key type")
            self.expect(",")
            type_ref = self.full_ident("a map value type", allow_leading_dot=True)
            self.expect(">")
        else:
            type_ref = self.full_ident("a field type", allow_leading_dot=True)
        if type_ref is None:
            self.sync()
            return None
        name = self.ident("a field name")
        if name is None:
            self.sync()
            return None
        number: int | None = None
        number_span = name.span
        if self.expect("=") is not None:
            num = self.peek()
            if num.kind == Kind.INT:
                self.pos += 1
                number = _int(num.text)
                number_span = num.span
            else:
                self.error(num, f"expected a field number for '{name.text}'")
        opts = self.field_options()
        end = self.expect(";")
        span_end = end.span if end else self.prev_span()
        comment = self.leading_comment(start.line) or self.trailing_comment(span_end.end_line)
        return ast.Field(
            name.text,
            name.span,
            number,
            number_span,
            label,
            type_ref,
            map_key,
            opts,
            oneof,
            comment,
            start.span.to(span_end),
        )

    def enum(self) -> ast.Enum | None:
        opened = self.open_block("an enum name")
        if opened is None:
            return None
        start, name, comment = opened
        values: list[ast.EnumValue] = []
        options: list[ast.Option] = []

        def item(tok: Token) -> bool:
            if tok.kind == Kind.IDENT and tok.text == "reserved":
                self.sync()
                return True
            v = self.enum_value()
            if v:
                values.append(v)
            return True

        self.block_body(options, item, "")
        end = self.expect("}", f" to close enum {name.text}")
        end_span = end.span if end else self.prev_span()
        return ast.Enum(
            name.text, name.span, tuple(values), tuple(options), comment, start.span.to(end_span)
        )

    def enum_value(self) -> ast.EnumValue | None:
        name = self.ident("an enum value name")
        if name is None:
            self.sync()
            return None
        number: int | None = None
        if self.expect("=") is not None:
            neg = self.accept("-")
            num = self.peek()
            if num.kind == Kind.INT:
                self.pos += 1
                number = _int(num.text) * (-1 if neg else 1)
            else:
                self.error(num, f"expected a number for enum value '{name.text}'")
        opts = self.field_options()
        end = self.expect(";")
        span_end = end.span if end else self.prev_span()
        comment = self.leading_comment(name.line) or self.trailing_comment(span_end.end_line)
        return ast.EnumValue(name.text, name.span, number, opts, comment, name.span.to(span_end))

    def extend(self) -> ast.Extend | None:
        start = self.advance()
        ref = self.full_ident("the extended message", allow_leading_dot=True)
        if ref is None or self.expect("{") is None:
            self.sync()
            return None
        fields: list[ast.Field] = []

        def item(tok: Token) -> bool:
            f = self.field("")
            if f:
                fields.append(f)
            return True

        self.block_body(None, item, "")
        end = self.expect("}")
        end_span = end.span if end else self.prev_span()
        return ast.Extend(ref, tuple(fields), start.span.to(end_span))

    def service(self) -> ast.Service | None:
        opened = self.open_block("a service name")
        if opened is None:
            return None
        start, name, comment = opened
        rpcs: list[ast.Rpc] = []
        options: list[ast.Option] = []

        def item(tok: Token) -> bool:
            if tok.kind != Kind.IDENT or tok.text != "rpc":
                return False
            r = self.rpc()
            if r:
                rpcs.append(r)
            return True

        self.block_body(options, item, "in service: expected rpc or option")
        end = self.expect("}", f" to close service {name.text}")
        end_span = end.span if end else self.prev_span()
        return ast.Service(
            name.text, name.span, tuple(rpcs), tuple(options), comment, start.span.to(end_span)
        )

    def rpc_type(self) -> tuple[ast.TypeRef | None, bool]:
        if self.expect("(") is None:
            return None, False
        stream = False
        if self.at("stream") and self.tokens[self.pos + 1].kind == Kind.IDENT:
            self.pos += 1
            stream = True
        ref = self.full_ident("a message type", allow_leading_dot=True)
        self.expect(")")
        return ref, stream

    def rpc(self) -> ast.Rpc | None:
        start = self.advance()
        name = self.ident("an rpc name")
        if name is None:
            self.sync()
            return None
        comment = self.leading_comment(start.line)
        inp, in_stream = self.rpc_type()
        if inp is None:
            self.sync()
            return None
        if self.expect("returns") is None:
            self.sync()
            return None
        out, out_stream = self.rpc_type()
        if out is None:
            self.sync()
            return None
        options: list[ast.Option] = []
        if self.accept("{"):
            self.block_body(options, lambda tok: False, "in rpc body: expected option")
            end = self.expect("}", f" to close rpc {name.text}")
        else:
            end = self.expect(";")
        end_span = end.span if end else self.prev_span()
        return ast.Rpc(
            name.text,
            name.span,
            inp,
            in_stream,
            out,
            out_stream,
            tuple(options),
            comment,
            start.span.to(end_span),
        )


def _int(text: str) -> int:
    if text.startswith(("0x", "0X")):
        return int(text, 16)
    if len(text) > 1 and text.startswith("0"):
        return int(text, 8) if all(c in "01234567" for c in text) else int(text)
    return int(text)


def _number(tok: Token) -> ast.Scalar:
    if tok.kind == Kind.INT:
        return ast.Scalar("int", _int(tok.text), tok.span)
    if tok.kind == Kind.FLOAT:
        return ast.Scalar("float", float(tok.text), tok.span)
    return ast.Scalar("float", float(tok.text.replace("infinity", "inf")), tok.span)


def _clean_comment(text: str) -> str:
    lines = [ln.strip() for ln in text.splitlines()]
    lines = [ln[1:].strip() if ln.startswith("*") else ln for ln in lines]
    return "\n".join(lines).strip()


def parse(text: str, first_line: int = 0) -> tuple[list[ast.Decl], list[ast.ParseError]]:
    """Parse a run of whole lines starting at `first_line`; returns declarations and syntax errors."""
    parser = _Parser(text, first_line)
    try:
        decls = parser.parse_top()
    except RecursionError:
        span = parser.peek().span
        return [], [*parser.errors, ast.ParseError(span, "nesting too deep")]
    return decls, parser.errors
