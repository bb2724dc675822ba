/**
 * Argument specifications of pylatexenc 2.x's default `LatexWalker` context (categories
 * latex-base, natbib, theorems, enumitem): '{' a mandatory argument (one token or a group),
 * '[' an optional bracketed argument, '*' an optional star. Macros not listed take no arguments.
 * The verbatim and latex-ethuebung categories are left out (never seen in answers).
 */

/** Macro name → argspec. */
export const WALKER_MACRO_ARGS: ReadonlyMap<string, string> = new Map<string, string>([
  ["documentclass", "[{"], ["usepackage", "[{"], ["RequirePackage", "[{"], ["selectlanguage", "[{"],
  ["setlength", "[{{"], ["addlength", "[{{"], ["setcounter", "[{{"], ["addcounter", "[{{"],
  ["newcommand", "*{[[{"], ["renewcommand", "*{[[{"], ["providecommand", "*{[[{"],
  ["newenvironment", "*{[[{{"], ["renewenvironment", "*{[[{{"], ["provideenvironment", "*{[[{{"],
  ["DeclareMathOperator", "*{{"], ["hspace", "*{"], ["vspace", "*{"], ["mbox", "{"], ["title", "{"],
  ["author", "{"], ["date", "{"], ["\\", "*["], ["item", "["], ["input", "{"], ["include", "{"],
  ["includegraphics", "[{"], ["chapter", "*[{"], ["section", "*[{"], ["subsection", "*[{"],
  ["subsubsection", "*[{"], ["pagagraph", "*[{"], ["subparagraph", "*[{"], ["bibliography", "{"],
  ["emph", "{"], ["textrm", "{"], ["textit", "{"], ["textbf", "{"], ["textmd", "{"], ["textsc", "{"],
  ["textsf", "{"], ["textsl", "{"], ["texttt", "{"], ["textup", "{"], ["text", "{"], ["mathrm", "{"],
  ["mathbb", "{"], ["mathbf", "{"], ["mathit", "{"], ["mathsf", "{"], ["mathtt", "{"], ["mathcal", "{"],
  ["mathscr", "{"], ["mathfrak", "{"], ["label", "{"], ["ref", "{"], ["autoref", "{"], ["cref", "{"],
  ["Cref", "{"], ["eqref", "{"], ["url", "{"], ["hypersetup", "{"], ["footnote", "[{"], ["keywords", "{"],
  ["hphantom", "[{"], ["vphantom", "[{"], ["'", "{"], ["`", "{"], ["\"", "{"], ["c", "{"], ["^", "{"],
  ["~", "{"], ["H", "{"], ["k", "{"], ["=", "{"], ["b", "{"], [".", "{"], ["d", "{"], ["r", "{"],
  ["u", "{"], ["v", "{"], ["ensuremath", "{"], ["not", "{"], ["vec", "{"], ["dot", "{"], ["hat", "{"],
  ["check", "{"], ["breve", "{"], ["acute", "{"], ["grave", "{"], ["tilde", "{"], ["bar", "{"],
  ["ddot", "{"], ["frac", "{{"], ["nicefrac", "{{"], ["sqrt", "[{"], ["overline", "{"], ["underline", "{"],
  ["widehat", "{"], ["widetilde", "{"], ["wideparen", "{"], ["overleftarrow", "{"],
  ["overrightarrow", "{"], ["overleftrightarrow", "{"], ["underleftarrow", "{"], ["underrightarrow", "{"],
  ["underleftrightarrow", "{"], ["overbrace", "{"], ["underbrace", "{"], ["overgroup", "{"],
  ["undergroup", "{"], ["overbracket", "{"], ["underbracket", "{"], ["overlinesegment", "{"],
  ["underlinesegment", "{"], ["overleftharpoon", "{"], ["overrightharpoon", "{"], ["xleftarrow", "[{"],
  ["xrightarrow", "[{"], ["ket", "{"], ["bra", "{"], ["braket", "{{"], ["ketbra", "{{"],
  ["texorpdfstring", "{{"], ["definecolor", "[{{{"], ["providecolor", "[{{{"], ["colorlet", "[{[{"],
  ["color", "[{"], ["textcolor", "[{{"], ["pagecolor", "[{"], ["nopagecolor", ""], ["colorbox", "[{{"],
  ["fcolorbox", "[{[{{"], ["boxframe", "{{{"], ["rowcolors", "*[{{{"], ["cite", "*[[{"], ["citet", "*[[{"],
  ["citep", "*[[{"], ["citealt", "*[[{"], ["citealp", "*[[{"], ["citeauthor", "*[[{"],
  ["citefullauthor", "[[{"], ["citeyear", "[[{"], ["citeyearpar", "[[{"], ["Citet", "*[[{"],
  ["Citep", "*[[{"], ["Citealt", "*[[{"], ["Citealp", "*[[{"], ["Citeauthor", "*[[{"], ["citetext", "{"],
  ["citenum", "{"], ["defcitealias", "{{"], ["citetalias", "[[{"], ["citepalias", "[[{"],
]);

/** Macros whose optional argument may not be separated from them by whitespace. */
export const WALKER_OPTARG_NO_SPACE: ReadonlySet<string> = new Set(['\\']);

/** Environment name → argspec of its `\begin{…}` arguments. */
export const WALKER_ENV_ARGS: ReadonlyMap<string, string> = new Map<string, string>([
  ["figure", "["], ["figure*", "["], ["table", "["], ["table*", "["], ["abstract", ""], ["tabular", "{"],
  ["tabular*", "{{"], ["tabularx", "{[{"], ["array", "[{"], ["equation", ""], ["equation*", ""],
  ["eqnarray", ""], ["eqnarray*", ""], ["align", ""], ["align*", ""], ["gather", ""], ["gather*", ""],
  ["flalign", ""], ["flalign*", ""], ["multline", ""], ["multline*", ""], ["alignat", "{"],
  ["alignat*", "{"], ["split", ""], ["theorem", "["], ["proposition", "["], ["lemma", "["],
  ["corollary", "["], ["definition", "["], ["conjecture", "["], ["remark", "["], ["proof", "["],
  ["thm", "["], ["prop", "["], ["lem", "["], ["cor", "["], ["conj", "["], ["rem", "["], ["defn", "["],
  ["enumerate", "["], ["itemize", "["], ["description", "["],
]);

/** LaTeX specials recognised by the tokenizer (longest match wins). */
export const WALKER_SPECIALS: readonly string[] = ['&', '~', '``', "''", '--', '---', '!`', '?`'];
