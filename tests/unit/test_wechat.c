/* WeChat's rules: inputs, errcodes, the JS-SDK signature. */
#include <string.h>

#include "wechat/wx_rules.h"
#include "unit.h"

/* WeChat's own example (JS-SDK documentation, appendix 1), also checked
   with `openssl sha1` */
TEST(wx_jssdk_sign_known_answer)
{
	char sig[41];

	EXPECT_INT(wx_jssdk_sign("sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy"
	    "_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg", "Wm3WZYTPz0wzccnW",
	    1414587457, "http://mp.weixin.qq.com?params=value", sig), 0);
	EXPECT_STR(sig, "0f9de62fce790f9a083d5c99e95740ceb90c27ed");
	/* the fragment is not signed */
	EXPECT_INT(wx_jssdk_sign("sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy"
	    "_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg", "Wm3WZYTPz0wzccnW",
	    1414587457, "http://mp.weixin.qq.com?params=value#top", sig), 0);
	EXPECT_STR(sig, "0f9de62fce790f9a083d5c99e95740ceb90c27ed");
}

TEST(wx_errcodes)
{
	static const struct { long long e; enum wx_fault f; } cases[] = {
		{ 0, WX_FAULT_NONE }, { 40029, WX_FAULT_CODE },
		{ 40163, WX_FAULT_CODE }, { 45011, WX_FAULT_RATE },
		{ 40001, WX_FAULT_TOKEN }, { 42001, WX_FAULT_TOKEN },
		{ 40013, WX_FAULT_CONFIG }, { 40125, WX_FAULT_CONFIG },
		{ -1, WX_FAULT_BUSY }, { 99999, WX_FAULT_BUSY },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		EXPECT_INT(wx_errcode_fault(cases[i].e), cases[i].f);
}

TEST(wx_inputs)
{
	EXPECT(wx_appid_ok("wx1234567890abcdef"));
	EXPECT(!wx_appid_ok("wx1234567890abcde"));
	EXPECT(!wx_appid_ok("wx1234567890ABCDEF"));
	EXPECT(!wx_appid_ok("xx1234567890abcdef"));
	EXPECT(wx_secret_ok("0123456789abcdef0123456789abcdef"));
	EXPECT(!wx_secret_ok("short"));
	EXPECT(!wx_secret_ok("0123456789abcdef0123456789abcde&"));
	EXPECT(wx_code_ok("081aBc-_9"));
	EXPECT(!wx_code_ok(""));
	EXPECT(!wx_code_ok("a b"));
	EXPECT(!wx_code_ok("a&secret=x"));
}

TEST(wx_url_on_site_cases)
{
	static const struct { const char *url, *site; int ok; } cases[] = {
		{ "https://m.example.com/m/demo/c/x", "https://m.example.com", 1 },
		{ "https://m.example.com/m/demo/c/x?a=1#f", "https://m.example.com/", 1 },
		{ "https://M.example.com/m/demo", "https://m.example.com", 1 },
		{ "https://m.example.com.evil.cn/m/demo", "https://m.example.com", 0 },
		{ "https://m.example.com:444/m/demo", "https://m.example.com", 0 },
		{ "http://m.example.com/m/demo", "https://m.example.com", 0 },
		{ "https://a@m.example.com/m/demo", "https://m.example.com", 0 },
		{ "javascript://m.example.com/", "javascript://m.example.com", 0 },
		{ "https://x.cn/app/m/demo", "https://x.cn/app", 1 },
		{ "https://x.cn/apple/m/demo", "https://x.cn/app", 0 },
		{ "https://x.cn/m/demo", "https://x.cn/app", 0 },
		{ "/m/demo", "https://x.cn", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (wx_url_on_site(cases[i].url, cases[i].site) != cases[i].ok)
			fprintf(stderr, "  case %zu: %s\n", i, cases[i].url);
		EXPECT_INT(wx_url_on_site(cases[i].url, cases[i].site),
		    cases[i].ok);
	}
}
