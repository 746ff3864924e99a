"""Romanised chat words -> native script, for Arabic (Arabizi), Persian (Finglish) and Urdu.

Each line is "native: romanised spellings". The spellings are folded before lookup
(bot/nlu/romanised.py: "ba7r", "bahr" and "baa7r" are one key), so only spellings that fold
differently need listing. The words are those people use when they ask about journeys,
asylum, papers, danger and help, plus the function words of the dialects (Levantine,
Egyptian, Maghrebi, Sudanese, Gulf), of Persian and Dari, and of Urdu. A word that is not
listed is left in Latin letters: the sentence embedding still reads loanwords ("visa",
"UNHCR") as they are.
"""

ARABIC = """
انا: ana ena eni ani ane
اذا: eza iza idha
بلا: bala bela
قال: 2al
بيقول: bi2ol bi2oul byi2ol bi2ool
بقول: ba2ol
بتقول: bt2ol bit2ol
يقول: y2ol yi2ol
قالي: 2alli 2ali
قلي: 2elli 2alli
قالوا: 2alo 2alu
بيقولوا: bi2olo
بصير: bsir bisir
بيصير: bisir byesir
نمشي: nemshi nmchi nemchi amshi
ندير: ndir
نعمل: na3mel n3mel
اعمل: a3mel a3mil
بعمل: ba3mel
لازمني: lazemni
انت: enta inta anta enti inti nta nti
احنا: e7na i7na a7na 7na hna
نحن: na7no na7nu
هو: huwa howa houwa hoa
هي: hiya heya hia
هم: homa huma hom hum
انتو: entu intu ento
بدي: bdi badi baddi biddi bidi bde
بدنا: badna bidna
بدك: badak bidak baddak
عايز: 3ayez 3ayz 3aiz 3awez 3awz aayez 3ayiz
عايزة: 3ayza 3awza
عايزين: 3ayzin 3awzin
ابغى: abga abgha abghi
بغيت: bghit bghite
نبغي: nebghi nbghi nbgha
داير: dayer dair daer
دايرين: dayrin
حابب: 7abeb
ما: ma
مش: mish mesh mush msh mech mch
مو: mu mo
لا: la2 la laa
ايوه: aywa aiwa
نعم: na3am
اه: ah aah
كيف: kif keef kaif kayf
كيفاش: kifach kifash kifesh
ازاي: ezay ezzay izay izzay
شلون: shlon shloon
شو: shu sho shou chou
ايش: eish aish esh
شنو: shno shnu chnou shinu
شنوة: chnowa
واش: wach wash
ايه: eih
ليش: lesh leish lech lish
ليه: leih
علاش: 3lach 3lash alach
وين: wen wein wain
فين: fin fein fen
منين: mnin menin mneen
قديش: adesh adeish 2adesh 2addesh 2adaysh
كم: kam kem
بكام: bkam bekam
قداش: 9addach 9adech gaddesh 9adesh
امتى: emta imta emte
متى: mata meta
وقتاش: w9tach wa9tash
هل: hal
في: fi fe
فيه: fih feh
على: 3ala 3la
من: men min mn
مع: ma3 m3a
عن: 3an
الى: ila ela
عشان: 3ashan 3shan
علشان: 3alashan
لانو: la2no la2ino
و: w wa we
او: aw
ولا: walla wala wella
بس: bas bass
كمان: kaman kamen
هلق: hala2 halla2 hla2
دلوقتي: dilwa2ti delwa2ty dlwa2ty dilwa2t
دابا: daba
هلا: hala
الحين: al7in el7in
توا: tawa taw
هسي: hassi hasa3 hassa
هون: hon houn
هنا: hena hina
هناك: honik hnak hunak
ممكن: mumkin momken mumken mmkn mumkn momkin
لازم: lazem lazim lazm
شي: shi chi
حاجة: 7aga 7aja
حد: 7ad
حدا: 7ada
واحد: wa7ed wa7ad wahed
زلمة: zalame zalameh zlame
راجل: ragel rajel
زول: zol zool
ناس: nas naas
شباب: shabab chbab
كل: kol kul koll
كلنا: kollna kolna
بحر: ba7r bahr b7ar bhar
مركب: markab mrkb
مراكب: marakeb marakib
قارب: 2areb qareb qarib
بلم: balam
فلوكة: falouka flouka
حراقة: 7arraga harraga 7arraka
حرقة: 7arga 7ar9a harga
نحرق: n7ar9 n7arg
غرق: ghara2 gher2 ghere2 ghar2 ghar9 8ara2 gharaq 3'ara2
غرقان: ghar2an
بيغرق: byighra2 byegh2a
موت: mot mout mawt
يموت: ymout ymut yemout
ماتوا: matu mato
خطر: 5atar khatar 5tar khtar
خطير: 5atir khatir khater 5ater 5a6ir
خطيرة: 5atira khatira 5atra
امان: aman amaan
امن: amen amin
سفينة: safina sfina
باخرة: ba5ra bakhra
جزيرة: jazira jezira
جزر: jozor juzur
كناري: kanari canari
سترة: sotra
نجاة: naja najat
بنزين: benzin banzin
كبيرة: kbire kbira kebira
كبير: kbir kebir
صحرا: sa7ra sahra
صحراء: sahara sa7ara
حدود: 7odod 7dud 7udud
عطش: 3atash 3a6ash
مي: mai
مية: maya mayya
جوع: jo3 ju3
برد: bard
اوروبا: orobba europa oroba 2orobba uruba urubba
ايطاليا: italia italya etalia
ليبيا: libya libia lybia
تونس: tunis tounes tounis
مصر: masr misr
مغرب: maghreb maghrib
الجزائر: dzayer djazair jazayer
السودان: sudan soudan
سوريا: soria suria syria
لبنان: lebnan libnan
يونان: younan yunan
تركيا: turkia torkia turkya
المانيا: almanya almania
فرنسا: fransa faransa
اسبانيا: espania sbania isbanya
لامبيدوزا: lampedusa lampadusa
مهرب: mohareb muhareb mhareb mharreb mharrib mohrib
مهربين: moharbin mharbin muharribin mharbeen
سمسار: semsar samsar simsar
تهريب: tahrib tahreeb
حراق: 7arrag 7arag
فلوس: flous flus fulus
مصاري: masari msari
قروش: gurush grosh
مبلغ: mablagh
دولار: dolar dollar dular dollars dolarat
يورو: euro yoro
ادفع: adfa3 edfa3
يدفع: yedfa3 ydfa3
دفعت: dafa3t
دفع: dafa3
بياخد: bya5od byakhod
ياخد: ya5od yakhod
بياخذ: bya5ud byakhud
سعر: se3r si3r
حق: 7a2 7a9
ضمان: daman dhaman
مضمون: madmoun madmun mazmoun
وعد: wa3d
وعدني: wa3adni
كذب: kezb kizb kedb
كذاب: kazzab kaddab
بيكذب: byekzeb byikzib
نصب: nasb
نصاب: nassab
لجوء: lojou2 luju2 lojo2 lujuu lujoo
لاجئ: laje2 laji2 lajee2
لاجئين: laj2in laje2in laj2een
طلب: talab tlab 6alab
اقدم: a2adem a2dem a9dem
تقديم: ta2dim taqdim ta9dim
قدم: 2adem 2addem 9adem
اوراق: awra2 awraq wra2 wra9
ورق: wara2
اقامة: e2ame i2ama eqama iqama e9ama
جواز: jawaz gawaz
باسبور: basbor basport
فيزا: visa viza fiza
تاشيرة: ta2shira tashira
سفارة: sefara safara sfara
قنصلية: 2onsoliya
مزور: mezawwar mzawwar mzwr
مزورة: mezawwara mzawwra
تزوير: tazwir
شغل: shoghl shughl shogl sho8l shoghol
خدمة: 5edma khedma khidma
عمل: 3amal
عقد: 3a2d 3aqd 3a9d
شركة: sherke sharika shirka
راتب: rateb ratib
وظيفة: wazife wazifa wadhifa
مكتب: maktab
دراسة: dirasa derase
جامعة: jam3a gam3a
منحة: men7a min7a
طالب: taleb talib
عيلة: 3ayle 3eila 3ela
عيلتي: 3ayelti 3elti
اسرة: osra
اهل: ahl ahel
اهلي: ahli ahly
لم: lam
شمل: shaml shamel
اولاد: awlad
ولاد: wlad wled ouled
اطفال: atfal a6fal
ولادي: wladi awladi ouledi
عيال: 3yal 3iyal
ابني: ebni ibni
بنتي: benti binti
مرتي: marti mrati
زوجي: zawji jouzi jozi
جوزي: gozi
زوجتي: zawjti
اخوي: a5uy akhoy 5ouya khouya a5oy
اخي: akhi a5i
اخويا: a5oya akhoya
اختي: o5ti okhti ukhti
امي: omi ommi yamma
ابوي: abouy abuy
طفل: 6efl tefl tifl
صغير: sghir zghir zgher sgher soghayar
صغار: sghar zghar
قاصر: 2aser qasir 9aser
لوحدي: lawa7di
لوحده: lawa7do
وحدي: wa7di
لحالي: la7ali
مساعدة: mosa3ade musa3ada msa3da mousa3ada msa3ade
ساعدني: sa3edni sa3idni
ساعدوني: sa3dona sa3duni sa3douni
ساعد: sa3ed sa3id
عاونوني: 3awnouni
تساعدني: tsa3edni tsa3dni
يساعد: ysa3ed
النجدة: najda
مشكلة: mushkile moshkila mochkla mushkila
مشاكل: mashakel mchakel
دكتور: doctor doktor daktor dktor
طبيب: tabib 6abib
مستشفى: mostashfa mustashfa moustachfa
سبيطار: sbitar
مريض: marid mareed
مريضة: marida
تعبان: ta3ban
دوا: dawa
علاج: 3elaj 3ilaj 3laj
صحة: se77a si77a sa7a
نفسي: nafsi
حامل: 7amel 7amil
ولادة: wilada welade
دم: dam
نزيف: nazif
ضرب: darab dareb
بيضربني: byedrobni byidrabni
ضربني: darabni
اغتصاب: ightisab
تحرش: ta7arrosh ta7arush
عنف: 3onf 3unf
امراة: emra2a imra2a
بنت: bent bint
مخطوف: ma56ouf makhtouf makhtuf
خطف: 5a6af khataf kh6af
خطفوا: 5a6afu khatafo
فدية: fidya fedye fedya
رهينة: rahina
محبوس: ma7bous ma7bus
حبس: 7abs
سجن: sejn sijn
مسجون: masjoun masjun
معتقل: mo3ta2al mu3taqal
بوليس: bolis bulis
شرطة: shorta shurta
مفقود: maf2oud mafqud mafkoud
مفقودين: maf2udin
ضايع: daye3 dayi3
اختفى: e5tafa ikhtafa
بعرف: ba3ref ba3rif
معرفش: ma3rafsh
عارف: 3aref 3arif
اعرف: a3raf a3rif
نعرف: n3ref na3ref
اسال: as2al
سؤال: so2al su2al
جواب: jawab gawab
ارجع: arja3 erga3 arga3
رجع: raja3 rege3 rja3
نرجع: nerja3 nerga3 nrja3
بلدي: baladi bladi bledi
بلاد: blad bled
وطن: watan
طوعي: 6aw3i taw3i
ترحيل: tar7il
رحلوني: ra7alouni
مرفوض: marfoud marfud
رفض: rafd rafadh
رفضوا: rafado rafadu
طعن: ta3n 6a3n
استئناف: isti2naf
محكمة: ma7kame ma7kama
محامي: mo7ami mu7ami ma7ami
مجاني: majjani majani magani
ببلاش: bbalash
بلاش: balash
مقابلة: mu2abale mo2abla muqabala
بصمة: basma bosma
بصمات: basamat bsamat
دبلن: dublin doblin
حماية: 7imaye 7emaya 7imaya
مؤقتة: mo2a2ata mu2aqata mo2a9ta
مؤقت: mo2a2at mu2aqat
اوكرانيا: okrania ukrania
حقوق: 7o2ou2 7u2u2 7uquq 7ou9ou9
حقي: 7a2i 7a9i
سكن: sakan sken
بيت: bet beit
دار: dar
مترجم: motarjem mutarjim
قانوني: 2anouni qanuni 9anouni
قانون: 2anun qanun 9anoun
طريق: tari2 tri9 6ari2
طريقة: tari2a tari9a
طرق: toro2 turuq
شرعي: shar3i char3i
شرعية: shar3iye shar3iya
غير: gher gheir ghir
رسمي: rasmi
ممر: mamar
انساني: ensani insani
انسانية: ensaniye insaniya
اعادة: e3ade i3ada
توطين: tawtin
مفوضية: mofawadiye mufawadiya
منظمة: monazzame
صليب: salib
شخص: sha5s shakhs
انسان: ensan insan
موظف: mowazzaf
احكي: a7ki e7ki
بحكي: b7ki
نحكي: n7ki ne7ki
اكلم: akallem akalem
ندوي: ndwi
نهدر: nahdar nehder
لغة: lougha logha lugha
عربي: 3arabi
انجليزي: englizi inglizi
خصوصية: 5osousiye
بيانات: bayanat
امسح: emsa7 imsa7
احذف: a7zef
معلومات: ma3loumat ma3lumat
مين: meen mien
روبوت: robot
شكرا: shukran shokran choukran shokrn shukrn
مرسي: mersi
يسلمو: yeslamo yislamo
تسلم: teslam
الله: allah
يعطيك: ya3tik
عافية: 3afye 3afia
مرحبا: mar7aba mar7ba marhaba
سلام: salam slm
عليكم: 3alaykom 3likom 3alikom
اهلا: ahlan
صباح: saba7 sba7
خير: 5er kher 5eir khir
سلامة: salama slama
يلا: yalla
تمام: tamam tmam
منيح: mni7 mnee7
كويس: kwayes kwayyes kwais
مزيان: mzyan mezyan
زين: zin zain
باهي: bahi
كتير: ktir kteer
برشا: barsha barcha
بزاف: bzaf bezzaf
اوي: awi
شوية: shwaye shwaya chwiya
سافر: safer
سفر: safar
اسافر: asafer asafir
نسافر: nsafer nesafer nsafr
اروح: aro7 arou7 aru7
نروح: nrou7 nro7
بروح: brou7 bro7
اطلع: atla3 a6la3
نطلع: ntla3 n6la3
هجرة: hijra hejra
مهاجر: mohajer muhajir
مهاجرين: mohajrin muhajirin
عبور: 3obour 3ubur
وصل: wesel wasal
اوصل: awsal owsal
نوصل: nwsal nousal
عدد: 3adad
نفر: nafar
عمر: 3omr 3umr
سنة: sene sana
شهر: shahr
يوم: yom youm
بكرة: bokra bukra
اسبوع: esbou3 isbu3
ساعة: sa3a
وقت: wa2t wa2et wa9t
ابعت: ab3at ab3ath
رقم: ra2am ra9m ra2m
تلفون: telefon talafon
واتساب: whatsapp watsap wtsp
اعلان: e3lan i3lan
عرض: 3ard 3ared
زواج: zawaj zawag
بيع: bei3 bay3
بيبيع: bibi3 byebi3
اشتري: eshtri ashtari
نشري: nechri nshri
قاعد: 2a3ed 9a3ed ga3ed
قاعدين: 2a3din ga3din
موجود: mawjoud mawjud mawgood
ساكن: saken sakin
عايش: 3ayesh 3aish
صار: sar
صارت: saret
كاين: kayen kain
محتاج: mo7taj mi7tag me7taj
محتاجة: me7taja
لقيت: l2it la2et l9it lgit
ادور: adawwer
بدور: bdawwer
خايف: 5ayef khayef 5aif
خايفة: 5ayfa
خوف: 5of khof
صاحبي: sa7bi sahbi
صحابي: s7abi
صديقي: sadi2i
عمي: 3ammi 3ami
كدا: kida keda kda
زي: zay zei
بقدر: ba2dar bagdar
اقدر: a2dar agdar a9der
نقدر: n2dar nagdar n9der
تقدر: t2dar tagdar
يقدر: y2dar
ياريت: yarit
سمحت: sama7t sma7t
سمحلي: sme7li sma7li smahli
عفوا: 3afwan
معليش: ma3lesh ma3lish
طيب: tayeb tayb 6ayeb
صح: sa7
غلط: ghalat 8alat
حقيقي: 7a2i2i
كلام: kalam klam
بصراحة: bsara7a
يا: ya
راه: rah
ماكاينش: makaynch makaynsh mkaynch mkayn
ديال: dyal dial
ديالي: dyali diali
شكون: chkoun chkon
واخا: wakha
بلاصة: blasa
قالي: galia 9alia galiya
قالو: galo 9alo
نهار: nhar
راجلي: rajli
ولدي: weldi wildi
ختي: khti
يما: yemma
باغي: baghi
باغية: baghya
نخدم: nkhdem nekhdem
صافي: safi
سير: sir
مشا: mcha
مشيت: mchit
عافاك: 3afak
كيفن: kefin kifin
بكم: bikam
رحلة: ri7la rihla re7la
حرب: 7arb harb
هربان: harban
هربت: harabt
سوداني: sudani soudani
مقابلة: mugabla
اسوي: asawi asawwi
نسوي: nsawi
اكلم: akallim akalim
بني: bani
ادم: adam
معسكر: mu3askar mo3askar
مخيم: mo5ayyam mukhayyam
تشاد: tshad tchad
دولة: dawla dowla dawle
تانية: tanya tanye tania
يطلعني: yatla3ni yetla3ni
وقع: wag3 wi2e3 wa2a3 wqa3
يتنفس: yatnaffas yetnaffas
نفس: nafas
الحقني: el7a2ni
قادر: gadir 2ader 9ader qader
وايد: wayed
روح: ro7 rou7
مات: mat
هرب: harab
قتل: 2atal
في: f fl
ب: b
قالي: galli gali
راهي: rahi
بلا: bla
ابي: abgha abga abghi
لاجئ: laaje2 lajea laji2a
معنى: ma3na ma3nah
مسكوه: masakouh meskouh masakuh
ماسكين: maskin maskeen
شدوني: shaddouni chaddouni
محبوس: ma7bous m7bous mahbous
محتجز: mo7tajaz mu7tajaz ma7jouz
قانوني: qanoni qanooni qanuni 9anouni kanouni 9anoni
قانونية: qanuniya 9anounia 9anouniya kanounia qanoniya
اشتغل: ashtghel ashtaghal neshtghel nashtaghel ashtghil
نخدم: nekhdem nkhdm
خدمة: khedma khidma
تصريح: tasri7 tasree7 tasrih
اقامة: i9ama iqama e2ame 2iqama eqama
بلجيكا: beljika belgika
اجيب: ajib ajeeb njib ngib
يجي: yji yiji
ينضم: yendam yandam
يلتحق: yelta7e2 yalta7iq
مريضة: mareeda
يشوفني: yshofni yshufni ychoufni
يطردوني: yatrudouni yetrdouni ytardouni
يبلغوا: yeballgho yballgho
ضرس: ders dirs
اسنان: snan asnan sna
يوجعني: yewja3ni ywaja3ni waja3ni
نكتب: nekteb nktb
تمسحوا: temsa7o tamsa7u
يوصلني: ywasalni ywaselni ywesalni
يدخلني: yda5alni yed5elni yidakhalni
نصدقه: nsadqo nsada9o asadqo
اثق: athiq a5a2
استئناف: esti2naf isti2naf estinaf esta2nef
طعن: ta3n
ساعدني: sa3edni sa3idni
مرتي: mrati marati
عيالي: 3iyali 3yali
"""

PERSIAN = """
من: man
تو: to too
ما: ma
شما: shoma
اون: oon un
اونا: oona una
میخوام: mikham mikhaam mikhom
میخوایم: mikhaim mikhaym
میخواد: mikhad
میخواستم: mikhastam
میتونم: mitoonam mitunam
میتونیم: mitoonim mitunim
میشه: mishe misheh
نمیشه: nemishe
نمیدونم: nemidoonam nemidunam
میدونم: midoonam midunam
چطور: chetor chetour
چطوری: chetori chejori
چگونه: chegune
کجا: koja kuja kojaa
کجاست: kojast
چرا: chera
چی: chi chiye
چه: che
چند: chand
چقدر: cheghadr cheqadr chaqadr chegadr
کی: key kei
آیا: aya
هست: hast
هستم: hastam astam
هستیم: hastim
نیست: nist
است: ast
دارم: daram
داریم: darim
ندارم: nadaram
دارن: daran
باید: bayad
نباید: nabayad
برم: beram
بریم: berim
رفتن: raftan
برای: baraye barai
از: az
به: be
با: ba
در: dar
و: va
یا: ya
که: ke
اگه: age
اگر: agar
ولی: vali
فقط: faghat faqat
خیلی: kheili kheyli khaili kheli khili
خوب: khob khoob khub
بد: bad
کمک: komak
کمکم: komakam
کنید: konid
کن: kon
کنم: konam
بکنم: bokonam bekonam
میکنم: mikonam
کردم: kardam
کرد: kard
شد: shod
شده: shode
بده: bede
بدم: bedam
بگید: begid
بگو: begoo
بگم: begam
پناهندگی: panahandegi
پناهنده: panahande
پناهجو: panahjoo
درخواست: darkhast darkhaast
اقامت: eghamat eqamat
مدارک: madarek madarak
مدرک: madrak
پاسپورت: pasport
گذرنامه: gozarname
ویزا: viza visa
سفارت: sefarat
جعلی: jaali jali
قاچاقچی: ghachaghchi qachaqchi ghachaqchi ghachachi
قاچاق: ghachagh qachaq
قاچاقی: ghachaghi qachaqi
قایق: ghayegh qayeq ghayeq ghaiq
دریا: darya daria
کشتی: keshti
غرق: ghargh gharq
خطر: khatar
خطرناک: khatarnak
امن: amn
مرز: marz
ترکیه: torkiye turkiye torkie
یونان: yunan
ایتالیا: italia italya
آلمان: alman aleman
اروپا: oroopa europa oropa urupa
ایران: iran
افغانستان: afghanestan afghanistan
پاکستان: pakestan pakistan
پول: pool pul
دلار: dolar dollar
یورو: euro
قیمت: gheymat qeymat
پیاده: piade piyade
جنگل: jangal
کوه: kooh kuh
بچه: bache bachche
بچه‌ها: bacheha bachcheha
بچه‌هام: bachehaam
بچه‌ام: bacham bachem
پسرم: pesaram
دخترم: dokhtaram
زنم: zanam
شوهرم: shoharam
خانواده: khanevade khanvade
خانواده‌ام: khanevadam khanevadeam
برادرم: baradaram
خواهرم: khaharam
مادرم: madaram
پدرم: pedaram
پیوستن: peyvastan
کار: kar
کاری: kari
شغل: shoghl
تحصیل: tahsil
دانشگاه: daneshgah
بورسیه: boursie boorsie
دانشجو: daneshjoo
مصاحبه: mosahebe
رد: rad
جواب: javab
اعتراض: eteraz
دادگاه: dadgah
وکیل: vakil
مجانی: majani majjani
رایگان: raygan rayegan
حقوق: hoghoogh hoquq
حقوقم: hoghoogham
دکتر: doktor doctor
بیمارستان: bimarestan
بیمار: bimar
مریض: mariz
درمان: darman
دارو: daroo
حامله: hamele
زایمان: zayman
تجاوز: tajavoz
آزار: azar
کتک: kotak
میزنه: mizane
زد: zad
خشونت: khoshoonat
زن: zan
دختر: dokhtar
پلیس: polis police
زندان: zendan
بازداشت: bazdasht
گرفتن: gereftan
گرفتند: gereftand gereftan
گروگان: gerogan
دزدیدند: dozdidand
باج: baj
گم: gom
گمشده: gomshode
پیدا: peyda peida
کردن: kardan
بازگشت: bazgasht
برگردم: bargardam
برگردیم: bargardim
کشور: keshvar
کشورم: keshvaram
وطن: vatan
داوطلبانه: davtalabane
موقت: movaghat movaqat
حمایت: hemayat
اوکراین: ukrain okrain
جنگ: jang
فرار: farar
کرده: karde
انگشت: angosht
دوبلین: dublin
اسکان: eskan
مجدد: mojadad
سازمان: sazman
ملل: melal
بشردوستانه: bashardoostane
راه: rah
قانونی: ghanooni qanuni ghanuni
غیرقانونی: gheyreghanooni
سلام: salam
مرسی: mersi merci
ممنون: mamnoon mamnun
خداحافظ: khodahafez khodafez
آدم: adam
واقعی: vaghei vaqei
ربات: robot
هستی: hasti
زبان: zaban
فارسی: farsi
دری: dari
عوض: avaz
اطلاعات: etelaat
پاک: pak
حذف: hazf
تنها: tanha
سن: sen
زیر: zir
سال: sal
ساله: sale
آگهی: agahi
پیشنهاد: pishnahad
تضمین: tazmin
تضمینی: tazmini
قول: ghol qol
دروغ: dorogh
راست: rast
میگه: mige
گفت: goft
میگن: migan
الان: alan
امروز: emruz emrooz
فردا: farda
شب: shab
نفر: nafar
کسی: kasi
هیچ: hich
همه: hame
مهاجرت: mohajerat
سفر: safar
اردوگاه: ordugah
برادر: baradar
خواهر: khahar
مادر: madar
پدر: pedar
شوهر: shohar
پسر: pesar
"""

URDU = """
میں: main mein mai
مجھے: mujhe mujhay muje mjhe
میرا: mera
میری: meri
میرے: mere
ہم: hum ham
ہمیں: hamein humein hamen
آپ: aap ap
تم: tum
وہ: woh wo
یہ: yeh ye
کیا: kya kia
کیوں: kyun kyu kiyon
کیسے: kaise kaisay kese
کہاں: kahan kahaan
کب: kab
کون: kaun kon
کتنا: kitna
کتنے: kitne
کتنی: kitni
ہے: hai hy
ہیں: hain
ہوں: hoon hun
تھا: tha
تھی: thi
نہیں: nahi nahin nhi nai
ہاں: haan
اور: aur
کا: ka
کی: ki
کے: ke kay
کو: ko
سے: se say
نے: ne
پر: par pe
بھی: bhi
لیے: liye lye
چاہیے: chahiye chahie chaiye
چاہتا: chahta
چاہتی: chahti
کرنا: karna
کریں: karein karen
کروں: karun karoon
کر: kar
جانا: jana
جاؤں: jaun jaon
جا: ja
مدد: madad
بتائیں: bataen batain bataiye batayen
بتاؤ: batao
سمندر: samandar samundar
کشتی: kashti kishti
ڈوب: doob dub
خطرناک: khatarnak
خطرہ: khatra
راستہ: rasta raasta
سرحد: sarhad
ڈنکی: dunki donki
پیسے: paise paisay pese
پیسہ: paisa pesa
لاکھ: lakh
ڈالر: dalar dollar
یورپ: yoorap urop europe
اٹلی: itli italy
یونان: unan yunan greece
ترکی: turki turkey
جرمنی: jarmani germany
پاسپورٹ: pasport passport
ویزا: viza visa
جعلی: jaali jali
نقلی: naqli nakli
کاغذات: kaghzat kaghazat
کاغذ: kaghaz
پناہ: panah
سیاسی: siyasi
درخواست: darkhwast darkhast
مقدمہ: muqadma
وکیل: wakeel vakeel wakil
مفت: muft
قانونی: qanooni kanooni qanuni
غیر: ghair
نوکری: naukri nokri
کام: kaam
تنخواہ: tankhwah
تعلیم: taleem
بچے: bache bachay
بچوں: bachon bachchon
بچہ: bacha bachcha
بیٹا: beta
بیٹی: beti
بیوی: biwi bivi
شوہر: shohar
خاندان: khandan
گھر: ghar
گھروالے: gharwale gharwalay
بھائی: bhai
بہن: behen bahen behan
ماں: maa maan
ابو: abbu
امی: ammi
ڈاکٹر: daktar doctor
ہسپتال: haspatal hospital
بیمار: bemar bimar
علاج: ilaj elaj
دوائی: dawai
حاملہ: hamla
پولیس: polis police
جیل: jail
گرفتار: giraftar griftar
حراست: hirasat
اغوا: agwa aghwa
تاوان: tawan
مار: maar
مارتا: marta
مارا: mara
تشدد: tashaddud
زیادتی: ziyadti zyadti
عورت: aurat
لڑکی: larki
گم: gum
گمشدہ: gumshuda
لاپتہ: laapata lapata
تلاش: talash
ڈھونڈ: dhoond dhund
واپس: wapas
واپسی: wapsi
ملک: mulk
اپنے: apne
اپنا: apna
اپنی: apni
عارضی: aarzi arzi
تحفظ: tahaffuz tahafuz
حقوق: huqooq huquq
حق: haq
رہائش: rihaish rahaish
نشان: nishan
شکریہ: shukriya shukria
خدا: khuda
حافظ: hafiz
سلام: salam
بات: baat
کرنی: karni
انسان: insaan
بندہ: banda
بندے: banday bande
زبان: zuban zaban
اردو: urdu
معلومات: maloomat malumat
اشتہار: ishtihar
گارنٹی: garanti guarantee
وعدہ: wada waada
جھوٹ: jhoot jhut
سچ: sach
ٹھیک: theek thik
اچھا: acha accha achha
برا: bura
بہت: bahut bohat bohot
زیادہ: zyada ziada
اکیلا: akela
اکیلے: akele akelay
اکیلی: akeli
سال: saal
عمر: umar umr
رہنا: rehna
رہتا: rehta
رہتی: rehti
رہا: raha rha
رہی: rahi rhi
سکتا: sakta
سکتی: sakti
سکتے: sakte
ملے: mile
ملتا: milta
ملے گا: milega
جائے: jaye
دیں: dein
ابھی: abhi
آج: aaj
کل: kal
یہاں: yahan yahaan
وہاں: wahan
کوئی: koi
کچھ: kuch kuchh
سب: sab
لوگ: log
لوگوں: logon
کسی: kisi
اگر: agar
تو: toh
پھر: phir
لیکن: lekin
مگر: magar
جب: jab
اب: ab
صرف: sirf
یار: yaar
پتا: pata
جہاز: jahaz
صحرا: sehra
پیدل: paidal
جنگل: jangal
پہاڑ: pahar
سردی: sardi
پانی: pani paani
کھانا: khana
پیاس: pyas piyas
بے ہوش: behosh
سانس: saans
خون: khoon khun
زخمی: zakhmi
موت: maut
جان: jaan
بچاؤ: bachao
ایجنٹ: ejent
"""
