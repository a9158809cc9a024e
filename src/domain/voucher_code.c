/* Voucher codes of voucher_code.h: generation from the OS CSPRNG through
 * libsodium, the Luhn mod N check symbol (N = 30), normalization of what
 * people type and the written form. */
#include "voucher_code.h"

#include <sodium.h>
#include <string.h>

static const char alphabet[] = VOUCHER_CODE_ALPHABET;

_Static_assert(sizeof alphabet - 1 == VOUCHER_CODE_BASE, "the alphabet has 30 symbols");

/* The symbol's value 0..29, or -1 outside the alphabet (upper case only). */
static int symbol_value(char c)
{
    const char *p = c != '\0' ? strchr(alphabet, c) : NULL;
    return p != NULL ? (int)(p - alphabet) : -1;
}

char voucher_code_check_symbol(const char *payload13)
{
    if (payload13 == NULL)
        return '\0';
    int values[VOUCHER_CODE_PAYLOAD_LEN];
    for (int i = 0; i < VOUCHER_CODE_PAYLOAD_LEN; i++) {
        values[i] = symbol_value(payload13[i]); /* stops at a NUL: -1 */
        if (values[i] < 0)
            return '\0';
    }
    int factor = 2, sum = 0;
    for (int i = VOUCHER_CODE_PAYLOAD_LEN - 1; i >= 0; i--) {
        int addend = factor * values[i];
        sum += addend / VOUCHER_CODE_BASE + addend % VOUCHER_CODE_BASE;
        factor = 3 - factor;
    }
    return alphabet[(VOUCHER_CODE_BASE - sum % VOUCHER_CODE_BASE) % VOUCHER_CODE_BASE];
}

void voucher_code_format(const char canonical[VOUCHER_CODE_LEN + 1],
                         char out[VOUCHER_CODE_TEXT_LEN + 1])
{
    size_t o = 0;
    for (size_t i = 0; i < VOUCHER_CODE_LEN; i++) {
        if (i > 0 && i % 4 == 0)
            out[o++] = '-';
        out[o++] = canonical[i];
    }
    out[o] = '\0';
}

void voucher_code_new(char out[VOUCHER_CODE_TEXT_LEN + 1])
{
    char code[VOUCHER_CODE_LEN + 1];
    for (size_t i = 0; i < VOUCHER_CODE_PAYLOAD_LEN; i++)
        code[i] = alphabet[randombytes_uniform(VOUCHER_CODE_BASE)];
    code[VOUCHER_CODE_PAYLOAD_LEN] = voucher_code_check_symbol(code);
    code[VOUCHER_CODE_LEN] = '\0';
    voucher_code_format(code, out);
    sodium_memzero(code, sizeof code);
}

bool voucher_code_normalize(const char *input, char out[VOUCHER_CODE_LEN + 1])
{
    out[0] = '\0';
    if (input == NULL)
        return false;
    char code[VOUCHER_CODE_LEN + 1];
    size_t n = 0;
    for (size_t i = 0; input[i] != '\0'; i++) {
        char c = input[i];
        if (i == VOUCHER_CODE_INPUT_MAX)
            return false;
        if (c == ' ' || c == '-')
            continue;
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (n == VOUCHER_CODE_LEN || symbol_value(c) < 0)
            return false;
        code[n++] = c;
    }
    if (n != VOUCHER_CODE_LEN || voucher_code_check_symbol(code) != code[VOUCHER_CODE_PAYLOAD_LEN])
        return false;
    code[VOUCHER_CODE_LEN] = '\0';
    memcpy(out, code, sizeof code);
    return true;
}
